import { createRequire } from 'node:module';
import { hashWasmSource } from './hash-wasm-source';

// The fingerprint's inner hash (fingerprint.ts: XXH64, seed 0, of each 1 MiB chunk, its digest as 8 big-endian
// bytes), in one place for the main thread and the pool's threads: one JavaScript source, evaluated on both.
//
// It hashes with @node-rs/xxhash (the xxhash-rust crate, N-API, so one prebuilt .node per platform loads in
// Node, Electron's main, utility and helper processes and their worker threads alike), which reads the caller's
// bytes in place: on this machine 1 GiB of 1 MiB chunks took 0.15-0.40 s against hash-wasm's 0.42-0.88 s (same
// run, interleaved, load 7-13), identical digests. hash-wasm copies every piece into its WebAssembly memory and
// has no SIMD. Where the native module does not load (a platform without a prebuilt binary) hash-wasm's XXH64
// gives the same digests, slower. test/unit/flash-chunk-hash.test.ts checks the digests against hash-wasm's.
//
// Packaging: @node-rs/xxhash is external in the bundles (electron-vite's externalizeDepsPlugin keeps every
// dependency a runtime require) and electron-builder.yml unpacks node_modules/@node-rs/** beside app.asar
// (app.asar.unpacked), since a .node file cannot be loaded from inside an asar; the worker threads, whose fs may
// not read app.asar, are handed that unpacked path (nativeModulePath).

/** The factory's source: `(load, hashWasm) => Promise<ChunkHash>`, with `load()` the native module or undefined. */
export const CHUNK_HASH_SOURCE = `async (load, hashWasm) => {
  let native;
  try { native = load(); } catch { native = undefined; }
  if (native && typeof native.Xxh64 === 'function') {
    const h = new native.Xxh64(0n);
    return {
      impl: 'native',
      init() { h.reset(0n); },
      update(bytes) { h.update(bytes); },
      digest() {
        const out = new Uint8Array(8);
        new DataView(out.buffer).setBigUint64(0, h.digest(), false);
        return out;
      },
    };
  }
  const mod = { exports: {} };
  new Function('module', 'exports', hashWasm())(mod, mod.exports);
  const h = await mod.exports.createXXHash64();
  h.init();
  return {
    impl: 'wasm',
    init() { h.init(); },
    update(bytes) { h.update(bytes); },
    digest() { return h.digest('binary'); },
  };
}`;

export interface ChunkHash {
  /** 'native' (@node-rs/xxhash) or 'wasm' (hash-wasm, where the native module does not load). */
  readonly impl: 'native' | 'wasm';
  /** Starts a new chunk (a fresh hash starts initialized). */
  init(): void;
  update(bytes: Uint8Array): void;
  /** The chunk's XXH64, 8 bytes big-endian; init() before the next chunk. */
  digest(): Uint8Array;
}

type Factory = (load: () => unknown, hashWasm: () => string) => Promise<ChunkHash>;

const NATIVE = '@node-rs/xxhash';
let nativePath: string | null | undefined;

/**
 * Where the native module's entry lies on disk, for worker threads (undefined when it cannot be resolved): in a
 * packaged app, the copy in app.asar.unpacked, which a plain require reads.
 */
export function nativeModulePath(): string | undefined {
  if (nativePath === undefined) {
    try {
      nativePath = createRequire(import.meta.url)
        .resolve(NATIVE)
        .replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    } catch {
      nativePath = null;
    }
  }
  return nativePath ?? undefined;
}

/** A chunk hash on the calling thread. */
export function createChunkHash(): Promise<ChunkHash> {
  const factory = new Function(`return ${CHUNK_HASH_SOURCE}`)() as Factory;
  const path = nativeModulePath();
  const require = createRequire(import.meta.url);
  return factory(() => (path === undefined ? undefined : require(path)), hashWasmSource);
}
