import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { LAYER_ZONES } from './eslint-rules/layer-zones.js';
import layers from './eslint-rules/layers.js';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Layering by folder: what each part of src/ may import (the table and why: eslint-rules/layer-zones.js).
    files: ['src/**'],
    plugins: { layers },
    rules: { 'layers/imports': ['error', LAYER_ZONES] },
  },
  {
    // Only the typed wrappers may touch raw IPC.
    files: ['src/**'],
    ignores: ['src/main/ipc.ts', 'src/preload/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Identifier[name='ipcMain']", message: 'Use the typed handlers in src/main/ipc.ts' },
        { selector: "Identifier[name='ipcRenderer']", message: 'Only the preload talks to ipcRenderer' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
