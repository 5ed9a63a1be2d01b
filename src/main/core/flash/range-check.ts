import { bmapByteRanges, type Bmap } from '../image/bmap';
import type { RangeCheck } from './hash-worker';

// What the range-checking thread needs from a bmap: each mapped range's length in the written stream (the ranges
// back to back, the last one clipped to the image's end, as bmaptool hashes it) and its expected digest.
// Undefined when the bmap has no range checksums (bmap 1.0-1.2, `bmaptool create --no-checksum`): nothing to check.

export function bmapRangeCheck(bmap: Bmap, image: string): RangeCheck | undefined {
  if (!bmap.checksumType || !bmap.ranges.some((r) => r.checksum)) return undefined;
  const bytes = bmapByteRanges(bmap);
  return {
    algo: bmap.checksumType,
    image,
    ranges: bmap.ranges.map((r, i) => ({
      first: r.first,
      last: r.last,
      len: bytes[i]!.end - bytes[i]!.start,
      ...(r.checksum ? { sum: r.checksum } : {}),
    })),
  };
}
