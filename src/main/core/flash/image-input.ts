import { stat } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import type { Compression } from '../../../shared/model';
import { bmapByteRanges, readBmapFile, type Bmap, type ByteRange } from '../image/bmap';
import { decompressedSize } from '../image/decompress';
import { detectFileCompression } from '../image/detect-compression';

// What flash and verify need to know about the image before touching a drive: that it exists, how it is
// compressed, how large it will be, and (with a bmap) which ranges matter.

export interface ImageInput {
  path: string;
  fileSize: number;
  compression: Compression;
  /** Decompressed size when known up front (bmap ImageSize, zstd/xz headers, raw size). */
  imageSize?: number;
  bmap?: Bmap;
  ranges?: ByteRange[];
}

export async function describeImageInput(path: string, bmapPath?: string): Promise<ImageInput> {
  let fileSize: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new KintsugiError('IMAGE_NOT_FOUND', `${path} is not a regular file`);
    fileSize = st.size;
  } catch (err) {
    if (err instanceof KintsugiError) throw err;
    throw new KintsugiError('IMAGE_NOT_FOUND', path);
  }
  const compression = await detectFileCompression(path);
  let bmap: Bmap | undefined;
  if (bmapPath) {
    bmap = await readBmapFile(bmapPath);
  }
  const headerSize = await decompressedSize(path, compression);
  if (bmap && headerSize !== undefined && compression !== 'gzip' && headerSize !== bmap.imageSize)
    throw new KintsugiError(
      'IMAGE_BMAP_MISMATCH',
      `${bmapPath} describes a ${bmap.imageSize}-byte image but ${path} holds ${headerSize} bytes`,
    );
  const imageSize = bmap?.imageSize ?? headerSize;
  return { path, fileSize, compression, imageSize, bmap, ranges: bmap ? bmapByteRanges(bmap) : undefined };
}
