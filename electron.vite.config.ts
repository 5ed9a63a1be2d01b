import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

// main: the Electron shell plus four plain-Node entry points that share core: the CLI, the CLI's device host (the
// child in which the CLI runs device I/O), the privileged helper and the utility process.
// preload: one sandboxed CommonJS bundle (a sandboxed preload cannot be ESM, nor require packages).
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/cli/index.ts'),
          'device-host': resolve('src/main/cli/device-host.ts'),
          helper: resolve('src/main/helper/index.ts'),
          utility: resolve('src/main/utility/index.ts'),
        },
      },
    },
  },
  preload: {
    // No externalized deps: a sandboxed preload can require only 'electron', so everything else (zod, which the
    // registry's declarations use) is bundled. test/unit/main-smoke-preload.test.ts checks the built file.
    build: {
      externalizeDeps: false,
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
