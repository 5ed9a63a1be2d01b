import { referenceFingerprint } from '../helpers/reference-fingerprint';
import { execa } from 'execa';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flashDrive } from '../../src/main/core/flash/flash';
import { checkImage } from '../../src/main/core/image/check';
import { quietContext } from '../../src/main/core/jobs/context';
import { attachLoop, detachLoop } from '../helpers/loop';

// `zstd --long=31` images (the best ratio for big images) use a window larger than the 128 MiB a decoder accepts
// by default: `zstd -d` without --long=31 (or --memory) refuses them. The app's one decoder passes it, so the
// check and the flash both read them.

const MiB = 1024 * 1024;
let dir: string;
let img: string;
let zst: string;
const loops: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-zstd-long-'));
  img = join(dir, 'kintsugi-v8.img');
  await writeFile(img, '');
  await execa('truncate', ['-s', `${200 * MiB}`, img]); // sparse: 200 MiB, compresses to a few KiB
  await execa('sfdisk', ['--quiet', img], { input: 'label: gpt\nstart=2048, type=linux\n' });
  const fh = await open(img, 'r+');
  await fh.write(Buffer.from('near the end, past the first 128 MiB'), 0, 36, 180 * MiB);
  await fh.close();
  zst = `${img}.zst`;
  await execa('zstd', ['-q', '-f', '--long=31', img, '-o', zst]);
});

afterAll(async () => {
  for (const l of loops) await detachLoop(l).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('zstd --long=31 images', () => {
  it('need --long=31 to decode: plain zstd -d refuses this one', async () => {
    const plain = await execa('zstd', ['-d', '-c', '-q', zst], { reject: false, stdout: 'ignore' });
    expect(plain.exitCode).not.toBe(0);
    expect(String(plain.stderr)).toMatch(/Window size larger than maximum|too much memory/);
  });

  it('are checked to the end and flashed as the image they hold', async () => {
    const report = await checkImage({ source: zst }, quietContext());
    expect(report).toMatchObject({
      compression: 'zstd',
      imageSize: 200 * MiB,
      diskSignature: 'GPT',
      integrity: { tool: 'zstd', ok: true, bytes: 200 * MiB },
    });
    const target = join(dir, 'target.img');
    await writeFile(target, '');
    await execa('truncate', ['-s', `${208 * MiB}`, target]);
    const dev = await attachLoop(target);
    loops.push(dev);
    const r = await flashDrive({ image: zst, device: dev, includeLoop: true, verify: true }, quietContext());
    // What was written and read back is the image: its XXH3-128, computed here in one shot.
    expect(r).toMatchObject({
      bytesWritten: 200 * MiB,
      verified: true,
      fingerprint: {
        algorithm: 'xxh3-128-of-xxh64-1m',
        hex: await referenceFingerprint(await readFile(img)),
      },
    });
  }, 120_000);
});
