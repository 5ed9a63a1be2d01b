import { describe, expect, it } from 'vitest';
import { flashBytesOf, imageSizeOf } from '../../src/shared/reflash/flash-bytes';
import type { ImageReport } from '../../src/shared/model';

// What the wizard says a flash will write, from what the image check learnt: plain reports, each source of the
// size in turn.

const MiB = 1024 * 1024;
const report = (extra: Partial<ImageReport> = {}): ImageReport => ({
  path: '/images/kintsugi-v2.img.zst',
  source: '/images/kintsugi-v2.img.zst',
  compression: 'zstd',
  fileSize: 300 * MiB,
  ...extra,
});

describe('imageSizeOf', () => {
  it('takes the header size, else the block map, else what the integrity pass decoded', () => {
    expect(imageSizeOf(report({ imageSize: 4096 * MiB }))).toBe(4096 * MiB);
    expect(
      imageSizeOf(report({ bmap: { path: '/b', mappedBytes: MiB, imageSize: 2048 * MiB, blockSize: 4096 } })),
    ).toBe(2048 * MiB);
    expect(imageSizeOf(report({ integrity: { tool: 'gzip', ok: true, bytes: 1024 * MiB } }))).toBe(
      1024 * MiB,
    );
  });

  it('does not believe a failed integrity pass, nor the compressed file', () => {
    expect(imageSizeOf(report({ integrity: { tool: 'zstd', ok: false, bytes: 12 * MiB } }))).toBeUndefined();
    expect(imageSizeOf(report())).toBeUndefined();
  });
});

describe('flashBytesOf', () => {
  it('writes only the mapped blocks when there is a block map', () => {
    const bmap = { path: '/b', mappedBytes: 900 * MiB, imageSize: 4096 * MiB, blockSize: 4096 };
    expect(flashBytesOf(report({ imageSize: 4096 * MiB, bmap }))).toEqual({
      bytes: 900 * MiB,
      atLeast: false,
    });
  });

  it('writes the whole image otherwise, and says "at least" when only the compressed size is known', () => {
    expect(flashBytesOf(report({ imageSize: 4096 * MiB }))).toEqual({ bytes: 4096 * MiB, atLeast: false });
    expect(flashBytesOf(report())).toEqual({ bytes: 300 * MiB, atLeast: true });
    expect(flashBytesOf(report({ compression: 'none' }))).toEqual({ bytes: 300 * MiB, atLeast: false });
    expect(flashBytesOf(undefined)).toBeUndefined();
  });
});
