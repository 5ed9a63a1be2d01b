import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// hash-wasm for eval'd worker threads: they have no module path, and in the packaged app the file sits inside
// app.asar, which only the parent's fs is sure to read. So the parent reads the UMD bundle (self-contained, its
// WebAssembly inline) once and hands its text to each worker.

let source: string | undefined;

export function hashWasmSource(): string {
  source ??= readFileSync(createRequire(import.meta.url).resolve('hash-wasm'), 'utf8');
  return source;
}
