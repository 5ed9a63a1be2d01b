import { randomBytes } from 'node:crypto';
import { createXXHash64, xxhash64 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { CHUNK_HASH_SOURCE, createChunkHash, type ChunkHash } from '../../src/main/core/flash/chunk-hash';
import { hashWasmSource } from '../../src/main/core/flash/hash-wasm-source';
import { createFingerprint } from '../../src/main/core/flash/fingerprint';
import { referenceFingerprint } from '../helpers/reference-fingerprint';

// The fingerprint's chunk hash (chunk-hash.ts) is the native @node-rs/xxhash; the fingerprint's definition is
// XXH64 (seed 0) as hash-wasm computes it. These digests must be hash-wasm's byte for byte, on random data, on
// zeros and on sizes that are not multiples of anything, fed whole or in odd pieces: a changed seed, byte order,
// a digest not reset between chunks, or a piece dropped or hashed twice fails here.

const MiB = 1024 * 1024;

async function chunkDigest(bytes: Uint8Array, pieces: number[]): Promise<string> {
  const h = await createChunkHash();
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = Math.min(pieces[i % pieces.length]!, bytes.length - off);
    h.update(bytes.subarray(off, off + n));
    off += n;
  }
  return Buffer.from(h.digest()).toString('hex');
}

const INPUTS: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([0x5a])],
  ['31 random bytes', randomBytes(31)],
  ['1 MiB of zeros', Buffer.alloc(MiB)],
  ['1 MiB random', randomBytes(MiB)],
  ['1 MiB + 7 random', randomBytes(MiB + 7)],
  ['777,777 zeros', Buffer.alloc(777_777)],
  ['65,537 random', randomBytes(65_537)],
];

describe('fingerprint chunk hash', () => {
  it('is the native module here (the fast path the bench measures)', async () => {
    expect((await createChunkHash()).impl).toBe('native');
  });

  it.each(INPUTS)('equals hash-wasm XXH64 on %s, whole and in odd pieces', async (_name, bytes) => {
    const want = await xxhash64(bytes);
    expect(await chunkDigest(bytes, [bytes.length || 1])).toBe(want);
    expect(await chunkDigest(bytes, [1, 4_099, 65_536, 3])).toBe(want);
  });

  it('falls back to hash-wasm, same digests, where the native module does not load', async () => {
    const factory = new Function(`return ${CHUNK_HASH_SOURCE}`)() as (
      load: () => unknown,
      hashWasm: () => string,
    ) => Promise<ChunkHash>;
    const h = await factory(() => {
      throw new Error('no prebuilt binary for this platform');
    }, hashWasmSource);
    expect(h.impl).toBe('wasm');
    for (const [, bytes] of INPUTS) {
      h.init();
      h.update(bytes);
      expect(Buffer.from(h.digest()).toString('hex')).toBe(await xxhash64(bytes));
    }
  });

  it('starts each chunk afresh after init()', async () => {
    const [a, b] = [randomBytes(1_000_003), Buffer.alloc(MiB - 1)];
    const h = await createChunkHash();
    const w = await createXXHash64();
    w.init();
    for (const bytes of [a, b, a]) {
      h.init();
      w.init();
      h.update(bytes);
      w.update(bytes);
      expect(Buffer.from(h.digest()).toString('hex')).toBe(w.digest('hex'));
    }
  });

  it('gives the definition’s fingerprint (main-thread form) on random, zero and odd-sized streams', async () => {
    const stream = Buffer.concat([randomBytes(2 * MiB + 5), Buffer.alloc(MiB + 3), randomBytes(11)]);
    const f = await createFingerprint();
    for (let off = 0; off < stream.length; off += 999_999) f.update(stream.subarray(off, off + 999_999));
    expect(f.hex()).toBe(await referenceFingerprint(stream));
  });
});
