import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewImage } from '../../src/main/core/reflash/image-preview';

// The image step's facts before the check, from files compressed by the real zstd, xz and gzip.

let work: string;
let raw: string;
const SIZE = 3 * 1024 * 1024 + 512; // not a round number: a size made up from the file's would not match

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-preview-'));
  raw = join(work, 'disk.img');
  const data = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i += 4096) data.write(`block ${i}`, i);
  await writeFile(raw, data);
  await execa('zstd', ['-q', '-k', raw]);
  await execa('xz', ['-k', raw]);
  await execa('gzip', ['-k', raw]);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('previewImage', () => {
  it.each([
    ['zstd', '.zst'],
    ['xz', '.xz'],
  ])('%s: the image size its header states, and the file size', async (compression, ext) => {
    const p = await previewImage(raw + ext);
    expect(p).toMatchObject({ found: true, compression, imageSize: SIZE });
    if (p.found) expect(p.fileSize).toBeLessThan(SIZE / 10);
  });

  it('an uncompressed image is its own size', async () => {
    expect(await previewImage(raw)).toEqual({
      found: true,
      compression: 'none',
      fileSize: SIZE,
      imageSize: SIZE,
    });
  });

  it("gzip: no image size (its trailer is only a hint), known after the check's integrity pass", async () => {
    const p = await previewImage(`${raw}.gz`);
    expect(p).toMatchObject({ found: true, compression: 'gzip' });
    expect(p.found && p.imageSize).toBeUndefined();
  });

  it('says what is wrong with a path that is no image file', async () => {
    expect(await previewImage(join(work, 'missing.img.zst'))).toEqual({
      found: false,
      reason: 'no such file',
    });
    expect(await previewImage(work)).toEqual({ found: false, reason: 'not a file' });
  });
});
