import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImage } from '../../src/main/core/image/check';
import { quietContext, type JobContext } from '../../src/main/core/jobs/context';
import type { Progress } from '../../src/shared/progress';
import { sha256OfFile, writeSha256File } from '../helpers/fixture-release';

// Integrity before the first write: without a published checksum over the image, the check decodes it all once
// (the decompressor's own checksums), so a truncated download fails in the check, not mid-flash; and the size it
// reports is the measured one (never gzip's ISIZE trailer).

const MiB = 1024 * 1024;
let dir: string;
let img: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-integrity-'));
  img = join(dir, 'kintsugi-v4.img');
  const fh = await open(img, 'w');
  const first = randomBytes(2 * MiB); // incompressible, so a cut lands in real data
  first[510] = 0x55;
  first[511] = 0xaa;
  await fh.write(first, 0, first.length, 0);
  await fh.truncate(4 * MiB);
  await fh.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const compressors: Record<string, { tool: string; make: (out: string) => [string, string[]] }> = {
  zstd: { tool: 'zstd', make: (out) => ['zstd', ['-q', '-f', img, '-o', out]] },
  xz: { tool: 'xz', make: (out) => ['sh', ['-c', 'xz -1 -c "$0" > "$1"', img, out]] },
  gzip: { tool: 'gzip', make: (out) => ['sh', ['-c', 'gzip -1 -c "$0" > "$1"', img, out]] },
  bzip2: { tool: 'bzip2', make: (out) => ['sh', ['-c', 'bzip2 -1 -c "$0" > "$1"', img, out]] },
  lz4: { tool: 'lz4', make: (out) => ['lz4', ['-q', '-f', img, out]] },
  zip: { tool: 'unzip', make: (out) => ['zip', ['-q', '-j', out, img]] },
};

describe('the integrity pass', () => {
  for (const [format, { tool, make }] of Object.entries(compressors)) {
    it(`${format}: a whole image reports the measured size; a truncated one fails the check`, async () => {
      const packed = join(dir, `kintsugi-v4.${format}.img.packed`);
      const [cmd, args] = make(packed);
      await execa(cmd, args);
      const events: Progress[] = [];
      const ctx: JobContext = { ...quietContext(), progress: (p) => events.push(p) };
      const report = await checkImage({ source: packed }, ctx);
      expect(report.integrity).toEqual({ tool, ok: true, bytes: 4 * MiB });
      expect(report.imageSize).toBe(4 * MiB);
      expect(events.some((e) => e.kind === 'image' && e.phase === 'decompress-test')).toBe(true);

      // Cut in the compressed data, past the head (a zip loses its directory too: unzip refuses to list it).
      const whole = await readFile(packed);
      const cut = join(dir, `cut-v4.${format}.img.packed`);
      await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
      await expect(checkImage({ source: cut }, quietContext())).rejects.toMatchObject({
        code: 'IMAGE_CORRUPT',
      });
    });
  }

  it('a multi-member gzip (cat a.gz b.gz) reports all members, not the last ISIZE', async () => {
    const a = join(dir, 'a.img');
    const b = join(dir, 'b.img');
    await execa('cp', [img, a]);
    await writeFile(b, Buffer.alloc(6 * MiB)); // compresses well: its ISIZE alone looks plausible
    await execa('gzip', ['-f', '-1', a]);
    await execa('gzip', ['-f', '-1', b]);
    const multi = join(dir, 'multi-v4.img.gz');
    await execa('sh', ['-c', 'cat "$0" "$1" > "$2"', `${a}.gz`, `${b}.gz`, multi]);
    const tail = (await readFile(multi)).subarray(-4).readUInt32LE(0);
    expect(tail).toBe(6 * MiB); // what a trailer-trusting reader would say
    const report = await checkImage({ source: multi }, quietContext());
    expect(report.imageSize).toBe(10 * MiB);
    expect(report.integrity).toEqual({ tool: 'gzip', ok: true, bytes: 10 * MiB });
    // A compressed-file checksum does not spare gzip the pass: its size needs measuring.
    const sums = await writeSha256File([multi], join(dir, 'multi.sha256'));
    const withSum = await checkImage({ source: multi, sha256File: sums }, quietContext());
    expect(withSum).toMatchObject({ imageSize: 10 * MiB, checksum: { target: 'compressed', ok: true } });
    expect(withSum.integrity?.bytes).toBe(10 * MiB);
  });

  it('a truncated gzip fails the check, saying how much it decoded', async () => {
    const gz = join(dir, 'whole-v4.img.gz');
    await execa('sh', ['-c', 'gzip -1 -c "$0" > "$1"', img, gz]);
    const whole = await readFile(gz);
    const cut = join(dir, 'cut-v4.img.gz');
    await writeFile(cut, whole.subarray(0, whole.length - 100_000));
    await expect(checkImage({ source: cut }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_CORRUPT',
      detail: expect.stringMatching(/gzip could not decompress .* \(after \d+ decompressed bytes\)/),
    });
  });

  it('a published checksum over the compressed file replaces the pass (zstd); one over the image is the pass', async () => {
    const zst = join(dir, 'sum-v4.img.zst');
    await execa('zstd', ['-q', '-f', img, '-o', zst]);
    const sums = await writeSha256File([zst], join(dir, 'zst.sha256'));
    const events: Progress[] = [];
    const ctx: JobContext = { ...quietContext(), progress: (p) => events.push(p) };
    const report = await checkImage({ source: zst, sha256File: sums }, ctx);
    expect(report.integrity).toBeUndefined();
    expect(report.imageSize).toBe(4 * MiB); // from the zstd frame header
    expect(events.some((e) => e.kind === 'image' && e.phase === 'decompress-test')).toBe(false);
    expect((await stat(zst)).size).toBeGreaterThan(0);
    // A checksum of the decompressed image decodes it all to hash it: that pass is the integrity pass too.
    const imgSums = join(dir, 'img.sha256');
    await writeFile(imgSums, `${await sha256OfFile(img)}  sum-v4.img\n`);
    const seen: Progress[] = [];
    const byImage = await checkImage(
      { source: zst, sha256File: imgSums },
      { ...quietContext(), progress: (p) => seen.push(p) },
    );
    expect(byImage.integrity).toEqual({ tool: 'zstd', ok: true, bytes: 4 * MiB });
    expect(seen.some((e) => e.kind === 'image' && e.phase === 'decompress-test')).toBe(false);
  });
});
