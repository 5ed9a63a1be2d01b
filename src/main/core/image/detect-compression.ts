import { open } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import type { Compression } from '../../../shared/model';
import { listZip } from './zip';

// Compression is decided by content, never by file name: a renamed or mislabelled download must still be read right.
// This is the one detector: the image check, flash and verify all ask it, so they can never disagree on a file.

type Magic = { bytes: readonly number[]; at?: number };

const COMPRESSED: readonly { kind: Exclude<Compression, 'none'>; magics: readonly Magic[] }[] = [
  {
    kind: 'zstd',
    magics: [
      { bytes: [0x28, 0xb5, 0x2f, 0xfd] }, // a zstd frame (RFC 8878)
      // A skippable frame (0x184D2A50..5F, little-endian) may come first: pzstd writes one to index its frames.
      ...Array.from({ length: 16 }, (_, i) => ({ bytes: [0x50 + i, 0x2a, 0x4d, 0x18] })),
      // Legacy frames (zstd v0.1-v0.7, 0xFD2FB51E..27): Debian's zstd still decodes them.
      ...Array.from({ length: 10 }, (_, i) => ({ bytes: [0x1e + i, 0xb5, 0x2f, 0xfd] })),
    ],
  },
  { kind: 'xz', magics: [{ bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] }] },
  { kind: 'gzip', magics: [{ bytes: [0x1f, 0x8b] }] },
  // "BZh" then the block size digit 1-9.
  { kind: 'bzip2', magics: [{ bytes: [0x42, 0x5a, 0x68] }] },
  // The lz4 frame format (0x184D2204) and the legacy format `lz4 -l` writes (0x184C2102).
  {
    kind: 'lz4',
    magics: [{ bytes: [0x04, 0x22, 0x4d, 0x18] }, { bytes: [0x02, 0x21, 0x4c, 0x18] }],
  },
  // A local file header, or the end-of-central-directory record an empty zip starts with (refused when listed).
  { kind: 'zip', magics: [{ bytes: [0x50, 0x4b, 0x03, 0x04] }, { bytes: [0x50, 0x4b, 0x05, 0x06] }] },
];

// Containers we recognise but cannot flash: naming them beats "not a disk image" with no reason.
const REFUSED: readonly { name: string; magics: readonly Magic[] }[] = [
  { name: '7z', magics: [{ bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] }] },
  { name: 'rar', magics: [{ bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] }] },
  { name: 'tar', magics: [{ bytes: [0x75, 0x73, 0x74, 0x61, 0x72], at: 257 }] }, // "ustar" (POSIX and GNU)
  { name: 'cab', magics: [{ bytes: [0x4d, 0x53, 0x43, 0x46, 0, 0, 0, 0] }] },
  { name: 'xar', magics: [{ bytes: [0x78, 0x61, 0x72, 0x21] }] },
  { name: 'lzip', magics: [{ bytes: [0x4c, 0x5a, 0x49, 0x50] }] },
  { name: 'ar', magics: [{ bytes: [...Buffer.from('!<arch>\n')] }] }, // .deb packages
  { name: 'cpio', magics: [{ bytes: [...Buffer.from('070701')] }, { bytes: [...Buffer.from('070702')] }] },
];

/** How many leading bytes the detector needs (tar's magic sits at 257). */
export const DETECT_HEAD_BYTES = 512;

function matches(head: Uint8Array, { bytes, at = 0 }: Magic): boolean {
  return head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
}

/** The compression whose magic number starts `head`; 'none' for anything else (a raw image, or not an image). */
export function detectCompression(head: Uint8Array): Compression {
  for (const { kind, magics } of COMPRESSED) if (magics.some((m) => matches(head, m))) return kind;
  return 'none';
}

/** The name of a known archive format we refuse ('7z', 'rar', 'tar', ...), or undefined. */
export function detectRefusedArchive(head: Uint8Array): string | undefined {
  return REFUSED.find(({ magics }) => magics.some((m) => matches(head, m)))?.name;
}

/**
 * Reads the first bytes of a file and detects its compression. A refused archive, and a zip that does not hold
 * exactly one file, throw IMAGE_ARCHIVE_UNSUPPORTED (no --force-raw makes sense of them): every reader of the
 * image stops here, before any write.
 */
export async function detectFileCompression(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    head = Buffer.alloc(DETECT_HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    head = head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const compression = detectCompression(head);
  if (compression === 'none') {
    const archive = detectRefusedArchive(head);
    if (archive)
      throw new KintsugiError(
        'IMAGE_ARCHIVE_UNSUPPORTED',
        `${path} is a ${archive} archive, not a disk image: extract the image from it first`,
      );
  }
  if (compression === 'zip') await listZip(path); // throws unless exactly one file
  return compression;
}
