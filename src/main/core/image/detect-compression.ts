import { open } from 'node:fs/promises';
import type { Compression } from '../../../shared/model';

// Compression is decided by content, never by file name: a renamed or mislabelled download must still be read right.

const MAGIC: readonly { kind: Exclude<Compression, 'none'>; bytes: readonly number[] }[] = [
  { kind: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { kind: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { kind: 'gzip', bytes: [0x1f, 0x8b] },
];

/** The compression whose magic number starts `head`; 'none' for anything else (a raw image). */
export function detectCompression(head: Uint8Array): Compression {
  for (const { kind, bytes } of MAGIC) {
    if (head.length >= bytes.length && bytes.every((b, i) => head[i] === b)) return kind;
  }
  return 'none';
}

/** Reads the first bytes of a file and detects its compression. */
export async function detectFileCompression(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return detectCompression(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
