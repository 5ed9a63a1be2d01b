import { createXXHash128 } from 'hash-wasm';
import { createChunkHash } from './chunk-hash';

// What a verify compares: a fast non-cryptographic fingerprint of the bytes written and of the bytes read back.
// It only has to tell "the drive returned what it was given" from "it did not", against faults (a flipped bit, a
// dropped or misplaced write, a counterfeit drive wrapping around), not an adversary: a published sha256 is what
// proves the image is the right one, and that runs only over what the checksum names (see hash-plan.ts).
//
// Definition (FINGERPRINT_ALGORITHM): cut the stream (the bytes written, in order: the whole image, or the bmap's
// mapped ranges back to back) into FINGERPRINT_CHUNK-byte chunks counted from its first byte, the last one
// possibly shorter; hash each chunk with XXH64 (seed 0); the fingerprint is the XXH3-128 of those 8-byte digests
// (big-endian, as hash-wasm gives them) in order, followed by the stream's length in bytes as a little-endian u64.
// The chunk size is part of the definition: changing it changes every fingerprint.
//
// Why chunks: they are independent, so several threads hash them at once (fingerprint-pool.ts), and a thread
// ready before the read-back starts hashes as soon as a read lands. Why XXH64 per chunk: when it was chosen
// (hash-wasm, WebAssembly, from shared buffers; the chunk hash is native now, chunk-hash.ts) one core hashes a GiB in ~0.12 s with XXH64 and ~0.20 s with
// XXH3-128 (no SIMD in hash-wasm's build), while an O_DIRECT read of a fast device costs ~0.10-0.15 s per GiB:
// the hash, not the device, set the pace of the read-back. A 64-bit digest per 1 MiB chunk lets a corrupted
// chunk through with odds of 2^-64, ample against faults; the 128-bit outer hash keeps the digests' order.
// 1 MiB divides the 4 MiB read and write buffers, so one buffer spreads over the threads, and keeps the digest
// list small (8 KiB per GiB).

export const FINGERPRINT_ALGORITHM = 'xxh3-128-of-xxh64-1m' as const;
export const FINGERPRINT_CHUNK = 1024 * 1024;

export interface Fingerprint {
  update(bytes: Uint8Array): void;
  /** Lowercase hex; ends the hash. */
  hex(): string;
}

/** The fingerprint from its chunks' digests, in stream order, and the stream's length. */
export async function combineChunkDigests(digests: Uint8Array[], length: number): Promise<string> {
  const h = await createXXHash128();
  h.init();
  for (const d of digests) h.update(d);
  h.update(lengthBytes(length));
  return h.digest('hex');
}

function lengthBytes(length: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(length), true);
  return b;
}

/** The same fingerprint on the calling thread (verify-drive's image side, where the decoder sets the pace). */
export async function createFingerprint(): Promise<Fingerprint> {
  const [chunk, outer] = await Promise.all([createChunkHash(), createXXHash128()]);
  outer.init();
  let inChunk = 0;
  let length = 0;
  const endChunk = () => {
    outer.update(chunk.digest());
    chunk.init();
    inChunk = 0;
  };
  return {
    update: (bytes) => {
      for (let off = 0; off < bytes.length;) {
        const n = Math.min(FINGERPRINT_CHUNK - inChunk, bytes.length - off);
        chunk.update(bytes.subarray(off, off + n));
        inChunk += n;
        off += n;
        if (inChunk === FINGERPRINT_CHUNK) endChunk();
      }
      length += bytes.length;
    },
    hex: () => {
      if (inChunk > 0) endChunk();
      outer.update(lengthBytes(length));
      return outer.digest('hex');
    },
  };
}
