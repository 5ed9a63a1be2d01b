import type { ImageReport } from '../model';

// What a flash will write and how big the image is, from what the image check learnt: pure readings of the
// report, for the time estimates the wizard shows before the flash.

/** The decompressed image's size: from its header or block map, else what the integrity pass decoded. */
export const imageSizeOf = (image: ImageReport): number | undefined =>
  image.imageSize ?? image.bmap?.imageSize ?? (image.integrity?.ok ? image.integrity.bytes : undefined);

/**
 * The bytes a flash writes, as soon as the check knows them: the block map's mapped bytes, else the whole image.
 * `atLeast` when only the compressed file's size is known (the image is bigger once decompressed).
 */
export interface FlashBytes {
  bytes: number;
  atLeast: boolean;
}

export function flashBytesOf(image: ImageReport | undefined): FlashBytes | undefined {
  if (!image) return undefined;
  const exact = image.bmap?.mappedBytes ?? imageSizeOf(image);
  if (exact !== undefined) return { bytes: exact, atLeast: false };
  return { bytes: image.fileSize, atLeast: image.compression !== 'none' };
}
