import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureImage, compressFixture, type FixtureImage } from '../helpers/fixture-image';
import { attachLoop, detachLoop } from '../helpers/loop';
import { assertCliBuilt, cliRunner } from '../helpers/cli';
import { resealBmap } from '../helpers/bmap-variants';

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

  it('a bmap that is damaged, unreadable or does not match the image fails with exit 1 and says so', async () => {
    const rel = join(dir, 'bad');
    await mkdir(rel);
    const img = join(rel, 'kintsugi-v10.img.zst');
    await copyFile(zst, img);
    const beside = join(rel, 'kintsugi-v10.img.bmap');
    const good = await readFile(bmap, 'utf8');
    const { file, dev } = await garbageDrive('bad.img');
    const before = await readFile(file);
    const expectFailure = async (args: string[], code: string, headline: RegExp) => {
      const r = await cli(args);
      expect(r.exitCode, String(r.stderr)).toBe(1);
      expect(String(r.stderr)).toMatch(new RegExp(`^error ${code}: ${headline.source}`));
      expect(String(r.stderr)).not.toContain('Usage: kintsugi');
    };
    const flash = ['flash', img, dev, '--yes', '--include-loop'];
    const verify = ['verify', img, dev, '--include-loop'];

    // Damaged (not well-formed XML), and edited by hand (its own checksum no longer matches).
    await writeFile(beside, good.replace('<BlockMap>', '<Block'));
    await expectFailure(flash, 'IMAGE_BMAP_INVALID', /The \.bmap file is damaged or not a bmap file/);
    await expectFailure(verify, 'IMAGE_BMAP_INVALID', /The \.bmap file is damaged/);
    await writeFile(beside, good.replace('<BlockMap>', '<BlockMap><!-- edited -->'));
    await expectFailure(flash, 'IMAGE_BMAP_INVALID', /The \.bmap file is damaged/);
    // Unreadable (root reads any file, so: one too large to read, sparse).
    await truncate(beside, 3 * 1024 ** 3);
    await expectFailure(flash, 'IMAGE_BMAP_UNREADABLE', /The \.bmap file cannot be read/);
    // A range checksum that does not match the image (the bmap itself resealed, so only the range is wrong).
    const sum = /chksum="([0-9a-f]{64})"/.exec(good)![1]!;
    await writeFile(beside, resealBmap(good.replace(sum, '0'.repeat(64))));
    await expectFailure(flash, 'IMAGE_BMAP_MISMATCH', /The image does not match its \.bmap checksums/);
    // None of it reached the drive's first MiB.
    expect((await readFile(file)).subarray(0, 1024 * 1024).equals(before.subarray(0, 1024 * 1024))).toBe(
      true,
    );
  });
});
