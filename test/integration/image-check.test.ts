import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext, type JobContext } from '../../src/main/core/jobs/context';
import type { Progress } from '../../src/shared/progress';
import { checkImage } from '../../src/main/core/image/check';
import {
  compressFixture,
  makeBmap,
  sha256OfFile,
  signWithMinisign,
  writeSha256File,
} from '../helpers/fixture-release';

// checkImage over release files made with the real tools (zstd, xz, gzip, sha256 format, minisign, bmaptool).

let dir: string;
let img: string;
let zst: string;
const MiB = 1024 * 1024;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-check-'));
  img = join(dir, 'kintsugi-v1.4.img');
  const fh = await open(img, 'w');
  // Random, but with an MBR boot signature: the check refuses what does not look like a disk image.
  const first = randomBytes(MiB);
  first[510] = 0x55;
  first[511] = 0xaa;
  await fh.write(first, 0, MiB, 0);
  await fh.write(randomBytes(MiB), 0, MiB, 5 * MiB);
  await fh.truncate(8 * MiB);
  await fh.close();
  zst = await compressFixture(img, 'zstd');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkImage', () => {
  it('checks a .sha256 naming the compressed file, the signature, finds the bmap and the version', async () => {
    const sums = await writeSha256File([zst], join(dir, 'SHA256SUMS'));
    const signed = await signWithMinisign(zst, { trustedComment: 'kintsugi 1.4' });
    await makeBmap(img); // kintsugi-v1.4.img.bmap beside the .img.zst
    const events: Progress[] = [];
    const ctx: JobContext = { ...quietContext(), progress: (p) => events.push(p) };
    const report = await checkImage(
      { source: zst, sha256File: sums, minisigFile: signed.minisigPath, pubkey: signed.pubkey },
      ctx,
    );
    expect(report).toMatchObject({
      path: zst,
      compression: 'zstd',
      version: '1.4',
      imageSize: 8 * MiB,
      checksum: {
        target: 'compressed',
        fileName: 'kintsugi-v1.4.img.zst',
        expected: await sha256OfFile(zst),
        ok: true,
      },
      signature: { ok: true, trustedComment: 'kintsugi 1.4' },
      bmap: { path: `${img}.bmap`, imageSize: 8 * MiB, blockSize: 4096 },
    });
    expect(report.bmap!.mappedBytes).toBeLessThan(3 * MiB);
    expect(events.some((e) => e.kind === 'image' && e.phase === 'signature')).toBe(true);
    expect(events.some((e) => e.kind === 'image' && e.phase === 'checksum')).toBe(true);
  });

  for (const format of ['xz', 'gzip'] as const) {
    it(`a .sha256 naming the decompressed image is checked over the ${format} stream`, async () => {
      const packed = await compressFixture(img, format);
      const sums = await writeSha256File([img], join(dir, `img-${format}.sha256`));
      const report = await checkImage({ source: packed, sha256File: sums }, quietContext());
      expect(report.checksum).toMatchObject({ target: 'image', fileName: 'kintsugi-v1.4.img', ok: true });
      expect(report.imageSize).toBe(8 * MiB);
      expect(report.compression).toBe(format);
    });
  }

  it('reads checksum files as sha256sum and shasum write them: --tag, -b, -U, ./paths, several entries, odd names', async () => {
    const sub = join(dir, 'sums');
    await mkdir(join(sub, 'images'), { recursive: true });
    const odd = join(sub, 'kintsugi v1.4 back\\slash.img.zst');
    await copyFile(zst, odd);
    await copyFile(zst, join(sub, 'images', 'kintsugi-v1.4.img.zst'));
    await copyFile(img, join(sub, 'kintsugi-v1.4.img'));
    const tool = async (name: string, cmd: string, args: string[]) => {
      const { stdout } = await execa(cmd, args, { cwd: sub });
      await writeFile(join(sub, name), stdout + '\n');
      return join(sub, name);
    };
    const cases: [string, string, string[], string, 'compressed' | 'image'][] = [
      ['bsd', 'sha256sum', ['--tag', 'images/kintsugi-v1.4.img.zst'], zst, 'compressed'],
      ['shasum-tag', 'shasum', ['-a', '256', '--tag', 'kintsugi-v1.4.img'], zst, 'image'],
      ['shasum-b', 'shasum', ['-a', '256', '-b', './images/kintsugi-v1.4.img.zst'], zst, 'compressed'],
      ['shasum-u', 'shasum', ['-a', '256', '-U', './images/kintsugi-v1.4.img.zst'], zst, 'compressed'],
      // Several entries: the image's own line is found among the others.
      ['multi', 'sha256sum', ['kintsugi-v1.4.img', odd, './images/kintsugi-v1.4.img.zst'], zst, 'compressed'],
      // coreutils escapes a backslash in a name and marks the line with a leading backslash.
      ['escaped', 'sha256sum', [odd], odd, 'compressed'],
      ['escaped-tag', 'sha256sum', ['--tag', odd], odd, 'compressed'],
    ];
    for (const [name, cmd, args, image, target] of cases) {
      const sums = await tool(`${name}.sha256`, cmd, args);
      const report = await checkImage({ source: image, sha256File: sums }, quietContext()).catch(
        (err: unknown) => {
          throw new Error(`${name}: ${JSON.stringify(err)}\n${JSON.stringify(args)}`);
        },
      );
      expect(report.checksum, name).toMatchObject({ target, ok: true });
    }
  });

  it('a wrong checksum is IMAGE_CHECKSUM_MISMATCH, a missing entry IMAGE_CHECKSUM_MISSING', async () => {
    const bad = join(dir, 'bad.sha256');
    await writeFile(bad, `${'0'.repeat(64)}  kintsugi-v1.4.img.zst\n`);
    await expect(checkImage({ source: zst, sha256File: bad }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_CHECKSUM_MISMATCH',
      detail: expect.stringContaining('kintsugi-v1.4.img.zst'),
    });
    // A checksum or signature file that does not exist is a bad argument, not a missing image.
    await expect(
      checkImage({ source: zst, sha256File: join(dir, 'typo.sha256') }, quietContext()),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', detail: expect.stringContaining('checksum file') });
    const signed = await signWithMinisign(zst);
    await expect(
      checkImage(
        { source: zst, minisigFile: join(dir, 'typo.minisig'), pubkey: signed.pubkey },
        quietContext(),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', detail: expect.stringContaining('signature file') });
    const other = join(dir, 'other.sha256');
    await writeFile(other, `${'0'.repeat(64)}  something-else.img\n`);
    await expect(checkImage({ source: zst, sha256File: other }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_CHECKSUM_MISSING',
    });
  });

  it('a signature without a public key is INVALID_ARGUMENT; a bad signature IMAGE_SIGNATURE_INVALID', async () => {
    const signed = await signWithMinisign(zst);
    await expect(
      checkImage({ source: zst, minisigFile: signed.minisigPath }, quietContext()),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const copy = join(dir, 'copy-v1.4.img.zst');
    const bytes = await readFile(zst);
    bytes[100]! ^= 1;
    await writeFile(copy, bytes);
    await expect(
      checkImage(
        { source: copy, minisigFile: signed.minisigPath, pubkey: signed.pubkeyPath },
        quietContext(),
      ),
    ).rejects.toMatchObject({
      code: 'IMAGE_SIGNATURE_INVALID',
    });
  });

  it('fullCheck finds a truncated image and an empty file is refused (IMAGE_CORRUPT); a missing one is IMAGE_NOT_FOUND', async () => {
    const cut = join(dir, 'cut-v1.4.img.zst');
    const whole = await readFile(zst);
    await writeFile(cut, whole.subarray(0, whole.length - 5000));
    await expect(checkImage({ source: cut, fullCheck: true }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_CORRUPT',
    });
    await expect(checkImage({ source: join(dir, 'none.img.zst') }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
    });
    const empty = join(dir, 'empty-v1.0.img.zst');
    await writeFile(empty, '');
    await expect(checkImage({ source: empty }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_CORRUPT',
      detail: expect.stringContaining('empty'),
    });
    // A raw image: compression none, size from the file.
    const raw = join(dir, 'raw-v2.0.img');
    await copyFile(img, raw);
    expect(await checkImage({ source: raw }, quietContext())).toMatchObject({
      compression: 'none',
      imageSize: 8 * MiB,
      version: '2.0',
    });
  });
});
