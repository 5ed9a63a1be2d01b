import { execa } from 'execa';
import { closeSync, constants, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { referenceFingerprint } from '../helpers/reference-fingerprint';
import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { Progress } from '../../src/shared/progress';
import { ioError, openDevice } from '../../src/main/core/flash/device-io';
import { flashDrive } from '../../src/main/core/flash/flash';
import { verifyDrive } from '../../src/main/core/flash/verify';
import { quietContext, type JobContext } from '../../src/main/core/jobs/context';
import { readBmapFile, bmapByteRanges } from '../../src/main/core/image/bmap';
import { attachLoop, detachLoop } from '../helpers/loop';
import { compressFixture, makeBmap, sha256OfFile } from '../helpers/fixture-release';
import { rangesOf, resealBmap, writeBmapVariant } from '../helpers/bmap-variants';

// Real flashes onto loop devices backed by temp files. Each device file starts filled with 0xAB so that bytes the
// flash must not touch (past the image, bmap holes, the held-back first MiB) are recognisable afterwards.

const MiB = 1024 * 1024;
const OLD = 0xab;
let dir: string;
const loops: string[] = [];

async function makeDevice(name: string, size: number): Promise<{ file: string; dev: string }> {
  const file = join(dir, name);
  await writeFile(file, Buffer.alloc(size, OLD));
  const dev = await attachLoop(file);
  loops.push(dev);
  return { file, dev };
}

/** A raw image: partition table, random regions, zero holes (sparse), optionally an odd size. */
async function makeImage(name: string, size: number): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, '');
  await truncate(file, size);
  await execa('sfdisk', ['--quiet', file], { input: 'label: gpt\nstart=2048, size=4096, type=linux\n' });
  const fh = await open(file, 'r+');
  try {
    // Random data inside the first MiB (after the GPT) and in two later regions; the rest stays a hole.
    await fh.write(randomBytes(64 * 1024), 0, 64 * 1024, 512 * 1024);
    await fh.write(randomBytes(3 * MiB), 0, 3 * MiB, 2 * MiB);
    const tail = Math.min(300_000, size - 7 * MiB);
    if (tail > 0) await fh.write(randomBytes(tail), 0, tail, size - tail);
  } finally {
    await fh.close();
  }
  return file;
}

async function readRange(file: string, start: number, len: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, start);
    return buf;
  } finally {
    await fh.close();
  }
}

function allOld(buf: Buffer): boolean {
  return buf.every((b) => b === OLD);
}

async function expectCode(p: Promise<unknown>, code: string): Promise<KintsugiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(KintsugiError);
  expect((err as KintsugiError).code, (err as KintsugiError).detail).toBe(code);
  return err as KintsugiError;
}

function recordingContext(signal?: AbortSignal): JobContext & { events: Progress[] } {
  const events: Progress[] = [];
  return {
    signal: signal ?? new AbortController().signal,
    progress: (p) => events.push(p),
    log: () => {},
    events,
  };
}

let raw: string; // 12 MiB + 777 bytes: not a multiple of any block size
/** XXH3-128 of the raw image, computed here in one shot (the flash computes it chunk by chunk while writing). */
let rawFingerprint: string;

/** What a verified flash with no published checksum and no bmap hashes: the written bytes and the read-back only. */
const FINGERPRINT_ONLY = [
  { algorithm: 'xxh3-128-of-xxh64-1m', over: 'written' },
  { algorithm: 'xxh3-128-of-xxh64-1m', over: 'read-back' },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-flash-'));
  raw = await makeImage('kintsugi-v1.0.img', 12 * MiB + 777);
  rawFingerprint = await referenceFingerprint(await readFile(raw));
});

afterAll(async () => {
  for (const dev of loops) await detachLoop(dev).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('flashDrive', () => {
  for (const format of ['zstd', 'xz', 'gzip', 'none'] as const) {
    it(`flashes a ${format} image, verifies it and leaves the bytes past the image alone`, async () => {
      const { file, dev } = await makeDevice(`dev-${format}.bin`, 16 * MiB);
      const image = format === 'none' ? raw : await compressFixture(raw, format);
      const ctx = recordingContext();
      const result = await flashDrive({ image, device: dev, includeLoop: true, verify: true }, ctx);
      expect(result).toMatchObject({
        device: dev,
        bytesWritten: 12 * MiB + 777,
        fingerprint: { algorithm: 'xxh3-128-of-xxh64-1m', hex: rawFingerprint },
        verified: true,
        usedBmap: false,
      });
      // No published checksum: no sha256 ran, whatever the format.
      expect(result.hashes).toEqual(FINGERPRINT_ONLY);
      const onDisk = await readRange(file, 0, 12 * MiB + 777);
      expect(onDisk.equals(await readFile(raw))).toBe(true);
      expect(allOld(await readRange(file, 12 * MiB + 777, 4 * MiB - 777))).toBe(true);
      const flash = ctx.events.filter((e) => e.kind === 'flash');
      expect(flash.some((e) => e.phase === 'write')).toBe(true);
      expect(flash.at(-1)).toMatchObject({ phase: 'verify', bytes: 12 * MiB + 777, total: 12 * MiB + 777 });
      // verifyDrive agrees, and then notices a single flipped byte.
      await expect(
        verifyDrive({ image, device: dev, includeLoop: true }, quietContext()),
      ).resolves.toMatchObject({ verified: true, fingerprint: { hex: rawFingerprint } });
      const fh = await open(dev, 'r+');
      const one = Buffer.alloc(1);
      await fh.read(one, 0, 1, 3 * MiB);
      one[0]! ^= 0xff;
      await fh.write(one, 0, 1, 3 * MiB);
      await fh.sync(); // the verify reads the medium, not this page cache
      await fh.close();
      await expectCode(
        verifyDrive({ image, device: dev, includeLoop: true }, quietContext()),
        'FLASH_VERIFY_MISMATCH',
      );
    });
  }

  it('with a bmap writes and verifies only the mapped ranges', async () => {
    const bmapPath = await makeBmap(raw);
    const bmap = await readBmapFile(bmapPath);
    const ranges = bmapByteRanges(bmap);
    const mapped = ranges.reduce((n, r) => n + r.end - r.start, 0);
    expect(mapped).toBeLessThan(6 * MiB); // the holes are really unmapped
    const image = await compressFixture(raw, 'zstd');
    const { file } = await makeDevice('dev-bmap.bin', 16 * MiB);
    const dev = loops.at(-1)!;
    const result = await flashDrive(
      { image, device: dev, includeLoop: true, bmap: bmapPath, verify: true },
      quietContext(),
    );
    expect(result).toMatchObject({ usedBmap: true, bytesWritten: mapped, verified: true });
    const img = await readFile(raw);
    const disk = await readFile(file);
    let pos = 0;
    for (const r of ranges) {
      expect(allOld(disk.subarray(pos, r.start)), `hole ${pos}-${r.start} untouched`).toBe(true);
      expect(
        disk.subarray(r.start, r.end).equals(img.subarray(r.start, r.end)),
        `range ${r.start}-${r.end}`,
      ).toBe(true);
      pos = r.end;
    }
    expect(allOld(disk.subarray(pos))).toBe(true);
    await expect(
      verifyDrive({ image, device: dev, includeLoop: true, bmap: bmapPath }, quietContext()),
    ).resolves.toMatchObject({ verified: true, bytesWritten: mapped });
  });

  describe('checks every bmap range checksum while writing, as bmaptool copy does', () => {
    /** bmaptool's verdict, for comparison: its error names the range. */
    async function bmaptoolCopy(bmap: string, image: string): Promise<string> {
      const r = await execa('bmaptool', ['-q', 'copy', '--bmap', bmap, image, join(dir, 'bmaptool.out')], {
        reject: false,
      });
      return r.exitCode === 0 ? 'ok' : r.stderr;
    }

    async function expectMismatch(image: string, bmap: string, name: string): Promise<void> {
      expect(await bmaptoolCopy(bmap, image)).toMatch(/checksum mismatch for blocks range \d+-\d+/);
      const { file, dev } = await makeDevice(name, 16 * MiB);
      const err = await expectCode(
        flashDrive({ image, device: dev, includeLoop: true, bmap, verify: true }, quietContext()),
        'IMAGE_BMAP_MISMATCH',
      );
      expect(err.detail).toMatch(
        /checksum mismatch for blocks range \d+-\d+: calculated [0-9a-f]+, should be/,
      );
      expect(err.detail).toContain(image);
      // The first MiB is written last: a drive that fails the check does not look like a new disk.
      expect(allOld(await readRange(file, 0, MiB)), 'head untouched').toBe(true);
    }

    it('an edited range checksum (sha256 bmap) stops the flash, first MiB untouched', async () => {
      const good = await readFile(await makeBmap(raw, join(dir, 'edited-src.bmap')), 'utf8');
      // Edit the checksum of the range after the first MiB, and reseal the file so only the range is wrong.
      const sums = [...good.matchAll(/chksum="([0-9a-f]{64})"/g)].map((m) => m[1]!);
      expect(sums.length).toBeGreaterThan(1);
      const bmap = join(dir, 'edited.bmap');
      await writeFile(bmap, resealBmap(good.replace(sums[1]!, 'e'.repeat(64))));
      await expectMismatch(await compressFixture(raw, 'zstd'), bmap, 'dev-edited.bin');
    });

    it('a byte changed inside a mapped block stops the flash (sha256 and sha1 bmaps), first MiB untouched', async () => {
      const bmap256 = await makeBmap(raw, join(dir, 'orig.bmap'));
      const ranges = rangesOf(await readFile(bmap256, 'utf8'));
      const bmap1 = await writeBmapVariant(raw, ranges, join(dir, 'orig-sha1.bmap'), {
        version: '2.0',
        type: 'sha1',
      });
      // The same image with one byte flipped at 3 MiB, inside the random (mapped) region.
      const bytes = await readFile(raw);
      bytes[3 * MiB + 12345]! ^= 0x01;
      const changed = join(dir, 'changed.img');
      await writeFile(changed, bytes);
      const changedZst = await compressFixture(changed, 'zstd');
      await expectMismatch(changedZst, bmap256, 'dev-changed-256.bin');
      await expectMismatch(changed, bmap1, 'dev-changed-sha1.bin');
      // The untouched image flashes with the sha1 bmap.
      const { dev } = await makeDevice('dev-sha1-ok.bin', 16 * MiB);
      await expect(
        flashDrive({ image: raw, device: dev, includeLoop: true, bmap: bmap1, verify: true }, quietContext()),
      ).resolves.toMatchObject({ usedBmap: true, verified: true });
    });
  });

  it('a truncated image fails with IMAGE_CORRUPT and the first MiB is never written', async () => {
    const zst = await compressFixture(raw, 'zstd');
    const cut = join(dir, 'truncated.img.zst');
    const whole = await readFile(zst);
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const { file, dev } = await makeDevice('dev-trunc.bin', 16 * MiB);
    const err = await expectCode(
      flashDrive({ image: cut, device: dev, includeLoop: true, verify: true }, quietContext()),
      'IMAGE_CORRUPT',
    );
    expect(err.detail).toContain('zstd');
    expect(allOld(await readRange(file, 0, MiB))).toBe(true);
  });

  it('a corrupt xz image fails with IMAGE_CORRUPT', async () => {
    const xz = await compressFixture(raw, 'xz');
    const bad = join(dir, 'corrupt.img.xz');
    const bytes = await readFile(xz);
    for (let i = 2000; i < bytes.length - 100; i += 997) bytes[i]! ^= 0x55;
    await writeFile(bad, bytes);
    const { file, dev } = await makeDevice('dev-corrupt.bin', 16 * MiB);
    await expectCode(
      flashDrive({ image: bad, device: dev, includeLoop: true, verify: true }, quietContext()),
      'IMAGE_CORRUPT',
    );
    expect(allOld(await readRange(file, 0, MiB))).toBe(true);
  });

  it('a checksum mismatch (compressed or image) fails after streaming, first MiB untouched', async () => {
    const zst = await compressFixture(raw, 'zstd');
    const { file, dev } = await makeDevice('dev-sum.bin', 16 * MiB);
    const wrong = 'f'.repeat(64);
    for (const target of ['compressed', 'image'] as const) {
      const err = await expectCode(
        flashDrive(
          {
            image: zst,
            device: dev,
            includeLoop: true,
            verify: true,
            expectedSha256: { target, value: wrong },
          },
          quietContext(),
        ),
        'IMAGE_CHECKSUM_MISMATCH',
      );
      expect(err.detail).toContain(target === 'compressed' ? 'compressed file' : 'decompressed image');
      expect(allOld(await readRange(file, 0, MiB))).toBe(true);
    }
    // The right compressed hash passes.
    const ok = await flashDrive(
      {
        image: zst,
        device: dev,
        includeLoop: true,
        verify: false,
        expectedSha256: { target: 'compressed', value: await sha256OfFile(zst) },
      },
      quietContext(),
    );
    // Only what the checksum names was hashed: the compressed file; no verify, so no fingerprint either.
    expect(ok).toMatchObject({ verified: false, hashes: [{ algorithm: 'sha256', over: 'file' }] });
    expect(ok.fingerprint).toBeUndefined();
    // The right image hash passes, and is the only sha256 that ran.
    const okImage = await flashDrive(
      {
        image: zst,
        device: dev,
        includeLoop: true,
        verify: true,
        expectedSha256: { target: 'image', value: await sha256OfFile(raw) },
      },
      quietContext(),
    );
    expect(okImage.hashes).toEqual([{ algorithm: 'sha256', over: 'image' }, ...FINGERPRINT_ONLY]);
  });

  it("a flash's read-back that differs from what was written fails FLASH_VERIFY_MISMATCH", async () => {
    const { file, dev } = await makeDevice('dev-readback.bin', 16 * MiB);
    // Once every byte is written (the write phase's 100 %) and before the read-back, a byte changes on the medium
    // (the loop device's backing file), as a drive that loses a write would show it.
    const backing = openSync(file, 'r+');
    let flipped = false;
    const ctx: JobContext = {
      ...quietContext(),
      progress: (p) => {
        if (flipped || p.kind !== 'flash' || p.phase !== 'write' || p.bytes !== p.total) return;
        flipped = true;
        const one = Buffer.alloc(1);
        readSync(backing, one, 0, 1, 10 * MiB);
        one[0]! ^= 0xff;
        writeSync(backing, one, 0, 1, 10 * MiB);
        fsyncSync(backing);
      },
    };
    try {
      const err = await expectCode(
        flashDrive({ image: raw, device: dev, includeLoop: true, verify: true }, ctx),
        'FLASH_VERIFY_MISMATCH',
      );
      expect(flipped).toBe(true);
      expect(err.detail).toMatch(
        /reads back xxh3-128-of-xxh64-1m [0-9a-f]{32} over \d+ bytes; [0-9a-f]{32} was written/,
      );
      expect(err.detail).toContain(rawFingerprint);
    } finally {
      closeSync(backing);
    }
  });

  it('without a checksum or a verify nothing is hashed at all', async () => {
    const { file, dev } = await makeDevice('dev-nohash.bin', 16 * MiB);
    const image = await compressFixture(raw, 'zstd');
    const r = await flashDrive({ image, device: dev, includeLoop: true, verify: false }, quietContext());
    expect(r).toMatchObject({ verified: false, hashes: [] });
    expect(r.fingerprint).toBeUndefined();
    expect((await readRange(file, 0, 12 * MiB + 777)).equals(await readFile(raw))).toBe(true);
  });

  it('a bmap flash with a published image checksum hashes the whole stream, holes included', async () => {
    const bmapPath = await makeBmap(raw, join(dir, 'whole-stream.bmap'));
    const image = await compressFixture(raw, 'zstd');
    const { dev } = await makeDevice('dev-bmap-sum.bin', 16 * MiB);
    const params = { image, device: dev, includeLoop: true, bmap: bmapPath, verify: false };
    // The sha256 of the mapped bytes alone would not match: the right one proves the holes were hashed too.
    const r = await flashDrive(
      { ...params, expectedSha256: { target: 'image', value: await sha256OfFile(raw) } },
      quietContext(),
    );
    expect(r.hashes).toEqual([
      { algorithm: 'sha256', over: 'image' },
      { algorithm: 'sha256', over: 'bmap-ranges' },
    ]);
  });

  it('refuses a loop device without the opt-in, and an image larger than the drive, writing nothing', async () => {
    const { file, dev } = await makeDevice('dev-small.bin', 8 * MiB);
    await expectCode(
      flashDrive({ image: raw, device: dev, includeLoop: false, verify: true }, quietContext()),
      'DRIVE_LOOP_NOT_ALLOWED',
    );
    await expectCode(
      flashDrive({ image: raw, device: dev, includeLoop: true, verify: true }, quietContext()),
      'DRIVE_TOO_SMALL',
    );
    // A zstd stream without a content size: only the writer can notice, before anything lands in the first MiB.
    const streamed = join(dir, 'streamed.img.zst');
    await execa('zstd', ['-q', '-c', '-'], { inputFile: raw, stdout: { file: streamed } });
    await expectCode(
      flashDrive({ image: streamed, device: dev, includeLoop: true, verify: true }, quietContext()),
      'IMAGE_TOO_LARGE',
    );
    expect(allOld(await readRange(file, 0, MiB))).toBe(true);
  });

  it('holds the drive exclusively from the first write to the last read: a second flash during the read-back is refused', async () => {
    const { dev } = await makeDevice('dev-held.bin', 16 * MiB);
    let second: string | undefined;
    const ctx = {
      ...quietContext(),
      progress: (p: Progress) => {
        // While the read-back runs, a second writer tries the same drive exclusively, as another flash would.
        // Synchronously, so it happens while the read-back is in progress, not after.
        if (p.kind === 'flash' && p.phase === 'verify' && second === undefined) {
          try {
            closeSync(openSync(dev, constants.O_RDWR | constants.O_EXCL));
            second = 'opened';
          } catch (e) {
            second = (e as NodeJS.ErrnoException).code;
          }
        }
      },
    };
    const r = await flashDrive({ image: raw, device: dev, includeLoop: true, verify: true }, ctx);
    expect(r.verified).toBe(true);
    expect(second).toBe('EBUSY');
    // Released when the job ends.
    await (await openDevice(dev, 'write')).fh.close();
  });

  it('a drive that refuses a write inside its own size (ENOSPC) is a failing drive, not an image too large', () => {
    const err = ioError(
      Object.assign(new Error('no space'), { code: 'ENOSPC' }),
      '/dev/loop-test',
      'writing at 4 GiB',
    );
    expect(err.code).toBe('FLASH_WRITE_FAILED');
    expect(err.detail).toMatch(
      /refused a write inside its advertised size.*failing or smaller than it claims/,
    );
  });

  it('a missing image is IMAGE_NOT_FOUND', async () => {
    const { dev } = await makeDevice('dev-missing.bin', 16 * MiB);
    await expectCode(
      flashDrive(
        { image: join(dir, 'nope.img.zst'), device: dev, includeLoop: true, verify: true },
        quietContext(),
      ),
      'IMAGE_NOT_FOUND',
    );
  });
});

describe('flashDrive interrupted', () => {
  let big: string;
  beforeAll(async () => {
    // 96 MiB of random data: slow enough to interrupt mid-write.
    big = join(dir, 'big.img');
    const fh = await open(big, 'w');
    for (let i = 0; i < 96; i++) await fh.write(randomBytes(MiB));
    await fh.close();
    big = await compressFixture(big, 'zstd');
  });

  it('cancel mid-write stops promptly with CANCELLED and the first MiB is still the old content', async () => {
    const { file, dev } = await makeDevice('dev-cancel.bin', 128 * MiB);
    const ac = new AbortController();
    let abortedAt = 0;
    const ctx: JobContext = {
      signal: ac.signal,
      log: () => {},
      progress: (p) => {
        if (p.kind === 'flash' && (p.bytes ?? 0) >= 16 * MiB && !ac.signal.aborted) {
          abortedAt = performance.now();
          ac.abort();
        }
      },
    };
    const err = await expectCode(
      flashDrive({ image: big, device: dev, includeLoop: true, verify: true }, ctx),
      'CANCELLED',
    );
    expect(performance.now() - abortedAt).toBeLessThan(2000);
    // Said plainly: what state the drive is in, and what to do.
    expect(err.detail).toMatch(
      /is now partly overwritten \(\d+(\.\d)? MiB\) and will not boot as it is: flash it again/,
    );
    expect(allOld(await readRange(file, 0, MiB))).toBe(true);
    // Later chunks did land: the head is held back, not the whole write.
    expect(allOld(await readRange(file, 4 * MiB, MiB))).toBe(false);
    // The device was closed: it can be opened exclusively again.
    const fh = await open(dev, 'r+');
    await fh.close();
  });

  it('a loop device detached mid-write fails with DRIVE_GONE within seconds', async () => {
    const { file, dev } = await makeDevice('dev-gone.bin', 128 * MiB);
    let detachedAt = 0;
    const ctx: JobContext = {
      signal: new AbortController().signal,
      log: () => {},
      progress: (p) => {
        if (p.kind === 'flash' && (p.bytes ?? 0) >= 8 * MiB && detachedAt === 0) {
          detachedAt = performance.now();
          void execa('losetup', ['-d', dev]);
        }
      },
    };
    await expectCode(
      flashDrive({ image: big, device: dev, includeLoop: true, verify: true }, ctx, { pollMs: 100 }),
      'DRIVE_GONE',
    );
    expect(performance.now() - detachedAt).toBeLessThan(3000);
    expect(allOld(await readRange(file, 0, MiB))).toBe(true);
  });
});
