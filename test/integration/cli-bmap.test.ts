import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureImage, compressFixture, type FixtureImage } from '../helpers/fixture-image';
import { attachLoop, detachLoop } from '../helpers/loop';
import { assertCliBuilt, cliRunner } from '../helpers/cli';

// The built `kintsugi` with a .bmap beside the image (made by the real `bmaptool create`), on loop devices this
// file creates, each pre-filled with non-zero garbage: what a bmap flash skips keeps that garbage, so a verify
// that compared the holes too would call a correct flash a failing drive.

let dir: string;
const { cli } = cliRunner(() => dir);
let image: FixtureImage;
let zst: string;
let bmap: string;
const loops: string[] = [];

async function garbageDrive(name: string, mib = 64) {
  const file = join(dir, name);
  await writeFile(file, Buffer.alloc(mib * 1024 * 1024, 0x5a));
  const dev = await attachLoop(file);
  loops.push(dev);
  return { file, dev };
}

const json = (r: { stdout: unknown }) => JSON.parse(String(r.stdout).trim().split('\n').at(-1)!);

beforeAll(async () => {
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-cli-bmap-'));
  image = await buildFixtureImage(join(dir, 'rel'), {
    name: 'kintsugi-v8.img',
    sizeMiB: 40,
    populate: false,
  });
  zst = await compressFixture(image.imagePath, 'zstd');
  bmap = join(dir, 'rel', 'kintsugi-v8.img.bmap');
  await execa('bmaptool', ['create', '-o', bmap, image.imagePath]);
});

afterAll(async () => {
  for (const l of loops) await detachLoop(l).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('kintsugi with a .bmap beside the image', () => {
  it('verify after a bmap flash compares the mapped ranges only: the drive matches', async () => {
    const { dev } = await garbageDrive('verify.img');
    const f = await cli(['flash', zst, dev, '--yes', '--include-loop', '--json']);
    expect(f.exitCode, String(f.stdout)).toBe(0);
    const flashed = json(f).result.flash;
    expect(flashed).toMatchObject({ usedBmap: true, verified: true });
    expect(flashed.bytesWritten).toBeLessThan(image.sizeBytes / 2);

    const v = await cli(['verify', zst, dev, '--include-loop', '--json']);
    expect(v.exitCode, String(v.stdout)).toBe(0);
    expect(json(v).result).toMatchObject({ device: dev, verified: true, usedBmap: true });
    expect(json(v).result.bytesWritten).toBe(flashed.bytesWritten);
    const human = await cli(['verify', zst, dev, '--include-loop']);
    expect(human.exitCode).toBe(0);
    expect(String(human.stdout)).toContain(`matches ${zst}`);
    expect(String(human.stdout)).toContain('of the mapped bytes');
  });

  it('--no-bmap ignores the .bmap: flash writes the whole image and verify compares it all', async () => {
    const { file, dev } = await garbageDrive('no-bmap.img');
    const f = await cli(['flash', zst, dev, '--yes', '--include-loop', '--no-bmap', '--json']);
    expect(f.exitCode, String(f.stdout)).toBe(0);
    expect(json(f).result.image.bmap).toBeUndefined();
    expect(json(f).result.flash).toMatchObject({
      usedBmap: false,
      bytesWritten: image.sizeBytes,
      verified: true,
    });
    // The holes were written too: the drive holds the whole image, no garbage left inside it.
    const disk = (await readFile(file)).subarray(0, image.sizeBytes);
    expect(disk.equals(await readFile(image.imagePath))).toBe(true);
    const v = await cli(['verify', zst, dev, '--include-loop', '--no-bmap', '--json']);
    expect(v.exitCode, String(v.stdout)).toBe(0);
    expect(json(v).result).toMatchObject({ usedBmap: false, bytesWritten: image.sizeBytes });
  });

  it('--no-bmap flashes an image whose .bmap beside it is damaged', async () => {
    const rel = join(dir, 'damaged');
    await mkdir(rel);
    const img = join(rel, 'kintsugi-v9.img.zst');
    await copyFile(zst, img);
    await writeFile(
      join(rel, 'kintsugi-v9.img.bmap'),
      (await readFile(bmap, 'utf8')).replace('<BlockMap>', '<Block'),
    );
    const { dev } = await garbageDrive('damaged.img');
    const f = await cli(['flash', img, dev, '--yes', '--include-loop', '--no-bmap', '--json']);
    expect(f.exitCode, String(f.stdout)).toBe(0);
    expect(json(f).result.flash).toMatchObject({ usedBmap: false, verified: true });
  });
});
