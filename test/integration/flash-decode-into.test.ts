import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { decodeInto, type ByteSink } from '../../src/main/core/flash/decode-into';
import { compressFixture } from '../helpers/fixture-release';

// The flash's decoder feed with the real tools (zstd, xz, gzip) and a sink that collects what lands in its
// buffers: every byte arrives once and in order, a sink that holds reads back (a busy write buffer) only delays
// them, and a sink that refuses stops the run with its own error instead of crashing or hanging.

const MiB = 1024 * 1024;
let dir: string;
let raw: string;
let rawBytes: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-decode-into-'));
  raw = join(dir, 'image.img');
  // Random and zero stretches, so the tool's output comes in reads of many sizes.
  rawBytes = Buffer.concat([randomBytes(3 * MiB), Buffer.alloc(2 * MiB), randomBytes(MiB + 333)]);
  await writeFile(raw, rawBytes);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Collects into a 1 MiB buffer; every time it fills, holds further reads until a later turn of the loop. */
function collectingSink(): ByteSink & { out: Buffer[]; holds: number; rest(): void } {
  const buf = Buffer.alloc(MiB);
  let len = 0;
  const sink = {
    out: [] as Buffer[],
    holds: 0,
    next: () => buf.subarray(len),
    filled(n: number): Promise<void> | undefined {
      len += n;
      if (len < buf.length) return undefined;
      sink.out.push(Buffer.from(buf));
      len = 0;
      sink.holds++;
      return new Promise((resolve) => setImmediate(resolve));
    },
    rest: () => void sink.out.push(Buffer.from(buf.subarray(0, len))),
  };
  return sink;
}

describe('decodeInto', () => {
  for (const format of ['zstd', 'xz', 'gzip', 'none'] as const) {
    it(`delivers a ${format} image byte for byte into the sink's buffers, holding reads when asked`, async () => {
      const image = format === 'none' ? raw : await compressFixture(raw, format);
      const sink = collectingSink();
      const run = await decodeInto(image, format, sink);
      await run.done;
      sink.rest();
      expect(Buffer.concat(sink.out).equals(rawBytes)).toBe(true);
      expect(sink.holds).toBe(6); // every full buffer held the reads until it was taken away
    });
  }

  it('counts compressed bytes only when asked (for the size estimate of a stream without a size)', async () => {
    const zst = await compressFixture(raw, 'zstd');
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(zst));
    const counted = await decodeInto(zst, 'zstd', collectingSink(), { countCompressed: true });
    await counted.done;
    expect(counted.compressedBytes()).toBe(size);
    const uncounted = await decodeInto(zst, 'zstd', collectingSink());
    await uncounted.done;
    expect(uncounted.compressedBytes()).toBe(0);
  });

  it('a sink whose next() throws stops the run with that error (no crash, no hang)', async () => {
    const zst = await compressFixture(raw, 'zstd');
    const buf = Buffer.alloc(64 * 1024);
    let calls = 0;
    const refusal = new KintsugiError('INVALID_ARGUMENT', 'test: misaligned range');
    const run = await decodeInto(zst, 'zstd', {
      next: () => {
        if (++calls > 3) throw refusal;
        return buf;
      },
      filled: () => undefined,
    });
    await expect(run.done).rejects.toBe(refusal);
  });

  it("a sink whose filled() fails (a write failed) stops the run with the sink's error, not the killed tool's", async () => {
    const xz = await compressFixture(raw, 'xz');
    const buf = Buffer.alloc(64 * 1024);
    let n = 0;
    const gone = new KintsugiError('DRIVE_GONE', 'test: the drive went away');
    const run = await decodeInto(xz, 'xz', {
      next: () => buf,
      filled: () => (++n === 5 ? Promise.reject(gone) : undefined),
    });
    await expect(run.done).rejects.toBe(gone);
  });

  it('a truncated image is IMAGE_CORRUPT from the tool, and no socket directory is left behind', async () => {
    const zst = await compressFixture(raw, 'zstd');
    const cut = join(dir, 'cut.img.zst');
    const whole = await readFile(zst);
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const before = (await readdir(tmpdir())).filter((f) => f.startsWith('kintsugi-decode-')).length;
    const run = await decodeInto(cut, 'zstd', collectingSink());
    const err = await run.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KintsugiError);
    expect((err as KintsugiError).code).toBe('IMAGE_CORRUPT');
    expect((err as KintsugiError).detail).toContain('zstd');
    const after = (await readdir(tmpdir())).filter((f) => f.startsWith('kintsugi-decode-')).length;
    expect(after).toBeLessThanOrEqual(before);
  });
});
