import { referenceFingerprint } from '../helpers/reference-fingerprint';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flashDrive } from '../../src/main/core/flash/flash';
import { checkImage } from '../../src/main/core/image/check';
import { quietContext } from '../../src/main/core/jobs/context';
import { signWithMinisign } from '../helpers/fixture-release';
import { attachLoop, detachLoop } from '../helpers/loop';

// "Never write something that is not a disk image": the wrong picks users make (a signature, a saved 404 page,
// a random file) are refused by the image check with IMAGE_NOT_A_DISK_IMAGE, unless forced; real images in any
// format pass, and a pzstd image flashes as the image it holds.

const MiB = 1024 * 1024;
let dir: string;
let img: string;
const loops: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-notdisk-'));
  img = join(dir, 'kintsugi-v3.img');
  await writeFile(img, '');
  await execa('truncate', ['-s', `${4 * MiB}`, img]);
  await execa('sfdisk', ['--quiet', img], { input: 'label: gpt\nstart=2048, size=4096, type=linux\n' });
  const fh = await open(img, 'r+');
  await fh.write(randomBytes(MiB), 0, MiB, 1536 * 1024);
  await fh.close();
});

afterAll(async () => {
  for (const l of loops) await detachLoop(l).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const refused = (p: Promise<unknown>, detail: RegExp) =>
  expect(p).rejects.toMatchObject({ code: 'IMAGE_NOT_A_DISK_IMAGE', detail: expect.stringMatching(detail) });

describe('the image check refuses what is not a disk image', () => {
  it('a .minisig picked as the image (282 bytes, from the real minisign)', async () => {
    const signed = await signWithMinisign(img, { trustedComment: 'kintsugi 3' });
    const sig = await readFile(signed.minisigPath);
    expect(sig.length).toBeGreaterThan(250);
    expect(sig.length).toBeLessThan(320);
    await refused(checkImage({ source: signed.minisigPath }, quietContext()), /minisign signature/);
  });

  it('an HTML 404 page saved as .img.zst (a valid zstd stream)', async () => {
    const page = join(dir, 'page.html');
    await writeFile(
      page,
      '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n',
    );
    const zst = join(dir, 'kintsugi-v3.img.zst');
    await execa('zstd', ['-q', '-f', page, '-o', zst]);
    await refused(checkImage({ source: zst }, quietContext()), /once decompressed \(zstd\).*web page/);
  });

  it('100 random bytes named .img.zst, and a ragged size', async () => {
    const junk = join(dir, 'junk-v3.img.zst');
    await writeFile(junk, randomBytes(100));
    // Pin the first byte to one no magic number starts with (random bytes could start like a format).
    const bytes = await readFile(junk);
    bytes[0] = 0x00;
    await writeFile(junk, bytes);
    await refused(checkImage({ source: junk }, quietContext()), /no partition table/);
    // An MBR signature but 1000 bytes: not whole sectors.
    const ragged = join(dir, 'ragged.img');
    const head = Buffer.alloc(1000);
    head[510] = 0x55;
    head[511] = 0xaa;
    await writeFile(ragged, head);
    await refused(
      checkImage({ source: ragged }, quietContext()),
      /1000 bytes, not a whole number of 512-byte/,
    );
  });

  it('a compressed tar (.tar.zst) holding the image is named as a tar archive', async () => {
    const tarZst = join(dir, 'kintsugi-v3.tar.zst');
    await execa('tar', ['--zstd', '-cf', tarZst, '-C', dir, 'kintsugi-v3.img']);
    await refused(checkImage({ source: tarZst }, quietContext()), /tar archive: extract the image/);
  });

  it('forceRaw accepts it and says so in the report', async () => {
    const junk = join(dir, 'forced.bin');
    await writeFile(junk, Buffer.alloc(4096, 7));
    const report = await checkImage({ source: junk, forceRaw: true }, quietContext());
    expect(report).toMatchObject({ forcedRaw: true, imageSize: 4096 });
    expect(report.diskSignature).toBeUndefined();
  });

  it('a real image passes and names its structure; a pzstd image flashes as the image it holds', async () => {
    const pz = join(dir, 'kintsugi-v3.pz.img.zst');
    await execa('pzstd', ['-q', '-f', '-p', '2', img, '-o', pz]);
    const report = await checkImage({ source: pz }, quietContext());
    expect(report).toMatchObject({ compression: 'zstd', diskSignature: 'GPT' });
    expect(report.forcedRaw).toBeUndefined();
    const target = join(dir, 'target.img');
    await writeFile(target, Buffer.alloc(8 * MiB, 0xab));
    const dev = await attachLoop(target);
    loops.push(dev);
    const r = await flashDrive({ image: pz, device: dev, includeLoop: true, verify: true }, quietContext());
    // What was written and read back is the image: its XXH3-128, computed here in one shot.
    expect(r).toMatchObject({
      bytesWritten: 4 * MiB,
      verified: true,
      fingerprint: {
        algorithm: 'xxh3-128-of-xxh64-1m',
        hex: await referenceFingerprint(await readFile(img)),
      },
    });
  });
});
