import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
});
