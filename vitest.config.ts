import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Never load the real 'electron' module in tests: it would try to download the binary. Every test sees the stub.
const alias = { electron: resolve('test/stubs/electron.ts') };

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', './test/plain-summary-reporter.ts'],
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Loop devices and mounts are machine-wide: run these files one at a time.
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
