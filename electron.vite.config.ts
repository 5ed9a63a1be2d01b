import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

// main: the Electron shell plus four plain-Node entry points that share core: the CLI, the CLI's device host (the
// child in which the CLI runs device I/O), the privileged helper and the utility process.
// Pure-JS dependencies that every entry loads at start-up are bundled, not required at run time: Node's ESM loader
// pays per file (resolve, package.json, cjs-module-lexer), and execa, zod, yaml and fast-xml-parser are ~400 files,
// ~0.2 s of every `kintsugi` start (`kintsugi --version` 0.45 -> 0.23 s wall, median of 10, same run). The rest
// stay external: native modules (drivelist, @node-rs/xxhash) must load from node_modules (app.asar.unpacked), and
// hash-wasm's bundle is read as a file for worker threads (flash/hash-wasm-source.ts).
// Code that only some commands or jobs need is loaded with import() (the CLI's domain runs, core commands and
// services, each domain's job runners: core/jobs/run-job.ts), so rollup splits it into chunks: every `kintsugi`
// start loaded the whole 1.5 MB; now --version loads 0.33 MB, backup list 0.37, os check 0.98 (--version 209 ->
// 102 ms, os check 452 -> 363 ms, same run, load ~6). The chunks sit beside the entries in out/main/, not in a
// chunks/ folder: modules find their sibling entries from import.meta.url (the CLI's device-host.js, the
// schedule's cli.js, the helper's and utility's bundles), and that must hold wherever rollup puts the module.
// preload: one sandboxed CommonJS bundle (a sandboxed preload cannot be ESM, nor require packages).
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin({ exclude: ['execa', 'yaml', 'fast-xml-parser', 'zod'] })],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        output: { chunkFileNames: '[name]-[hash].js' },
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
