// The image step's first facts, as soon as a file is named and before its check: the file's size and the image
// size its header states (zstd's frame header, xz's index, an uncompressed image's own size). Only reads; the
// check still decides whether the image may be flashed, and measures what the header merely claims.
import { stat } from 'node:fs/promises';
import type { ImagePreview } from '../../../shared/reflash/contract';
import { decompressedSize } from '../image/decompress';
import { detectFileCompression } from '../image/detect-compression';

export async function previewImage(source: string): Promise<ImagePreview> {
  let st;
  try {
    st = await stat(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { found: false, reason: code === 'ENOENT' ? 'no such file' : `cannot be read (${code})` };
  }
  if (!st.isFile()) return { found: false, reason: 'not a file' };
  try {
    const compression = await detectFileCompression(source);
    // gzip's ISIZE trailer is only a hint (modulo 4 GiB); the check measures gzip with its integrity pass.
    const imageSize = compression === 'gzip' ? undefined : await decompressedSize(source, compression);
    return { found: true, fileSize: st.size, compression, ...(imageSize !== undefined ? { imageSize } : {}) };
  } catch (err) {
    return { found: false, reason: `cannot be read (${(err as Error).message})` };
  }
}
