import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cliRunner } from '../helpers/cli';
import { signWithMinisign } from '../helpers/fixture-release';
import { attachLoop, detachLoop } from '../helpers/loop';

// The built `kintsugi` CLI refuses to write what is not a disk image, before touching the drive, and writes it
// only with --force-raw.

let dir: string;
const loops: string[] = [];
const { cli } = cliRunner(() => dir);

beforeAll(async () => {
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-cli-safety-'));
});

afterAll(async () => {
  for (const l of loops) await detachLoop(l).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('kintsugi flash and a file that is not a disk image', () => {
  it('refuses a zstd-compressed web page, leaves the drive alone, and writes it with --force-raw', async () => {
    const page = join(dir, 'page.html');
    await writeFile(page, `<!DOCTYPE html><html><body>${'Not Found '.repeat(100)}</body></html>\n`);
    const zst = join(dir, 'kintsugi-v9.img.zst');
    await execa('zstd', ['-q', '-f', page, '-o', zst]);
    const target = join(dir, 'target.img');
    await writeFile(target, Buffer.alloc(1024 * 1024, 0xab));
    const dev = await attachLoop(target);
    loops.push(dev);

    const r = await cli(['flash', zst, dev, '--yes', '--include-loop', '--json']);
    expect(r.exitCode).toBe(1);
    const err = JSON.parse(String(r.stdout)).error;
    expect(err).toMatchObject({ code: 'IMAGE_NOT_A_DISK_IMAGE', message: 'This file is not a disk image.' });
    expect(err.detail).toMatch(/web page/);
    expect(err.hint).toMatch(/--force-raw/);
    const untouched = await execa('cmp', ['-n', '4096', target, '/dev/zero']).catch(
      (e: { exitCode: number }) => e,
    );
    expect(untouched.exitCode).toBe(1); // still the 0xab fill: nothing was written

    // The page is not whole sectors either: --force-raw accepts both.
    const forced = await cli(['flash', zst, dev, '--yes', '--include-loop', '--json', '--force-raw']);
    expect(forced.exitCode, String(forced.stdout) + String(forced.stderr)).toBe(0);
    expect(JSON.parse(String(forced.stdout)).result.image).toMatchObject({ forcedRaw: true });
  });

  it('with --pubkey, an image without a .minisig is refused (IMAGE_SIGNATURE_MISSING) unless --allow-unsigned', async () => {
    const img = join(dir, 'kintsugi-v7.img');
    await writeFile(img, Buffer.alloc(2 * 1024 * 1024));
    await execa('sfdisk', ['--quiet', img], { input: 'label: dos\nstart=2048, type=83\n' });
    await execa('zstd', ['-q', '-f', img, '-o', `${img}.zst`]);
    // A key pair made for the test; the image itself is not signed.
    const other = join(dir, 'other.txt');
    await writeFile(other, 'x');
    const { pubkey } = await signWithMinisign(other);
    const r = await cli(['image', 'verify', `${img}.zst`, '--pubkey', pubkey, '--json']);
    expect(r.exitCode).toBe(1);
    const err = JSON.parse(String(r.stdout)).error;
    expect(err).toMatchObject({ code: 'IMAGE_SIGNATURE_MISSING' });
    expect(err.hint).toMatch(/--allow-unsigned/);
    const ok = await cli(['image', 'verify', `${img}.zst`, '--pubkey', pubkey, '--allow-unsigned', '--json']);
    expect(ok.exitCode, String(ok.stdout)).toBe(0);
    expect(JSON.parse(String(ok.stdout)).result).toMatchObject({
      unsigned: true,
      diskSignature: 'MBR or FAT boot sector',
    });
  });
});
