import { xxhash128, xxhash64 } from 'hash-wasm';

// The verify fingerprint computed straight from its definition (src/main/core/flash/fingerprint.ts), with
// hash-wasm's one-shot xxhash64 and xxhash128 and none of the app's code: the reference the app's streaming forms must equal.
// The 1 MiB chunk is written out here on purpose: changing the app's chunk size must fail the tests.

const CHUNK = 1024 * 1024;

export async function referenceFingerprint(bytes: Uint8Array): Promise<string> {
  const parts: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += CHUNK)
    parts.push(Buffer.from(await xxhash64(bytes.subarray(o, o + CHUNK)), 'hex'));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return xxhash128(Buffer.concat([...parts, length]));
}
