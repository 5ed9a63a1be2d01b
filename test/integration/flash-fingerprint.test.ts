import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocAligned } from '../../src/main/core/flash/aligned-buffer';
import { openDevice } from '../../src/main/core/flash/device-io';
import { watchDrive } from '../../src/main/core/flash/drive-watch';
import { createFingerprint } from '../../src/main/core/flash/fingerprint';
import { FingerprintPool } from '../../src/main/core/flash/fingerprint-pool';
import { fingerprintDeviceRanges } from '../../src/main/core/flash/read-back';
import { attachLoop, detachLoop } from '../helpers/loop';
import { referenceFingerprint } from '../helpers/reference-fingerprint';

// The verify fingerprint is defined over fixed 1 MiB chunks of the stream (fingerprint.ts), so it must not depend
// on how the stream reaches the hash: the write side cuts it at write buffers and bmap ranges, the read side at
// reads, and neither lines up with the chunks. Each form (the main thread's, the thread pool's, the read-back
// from a loop device) is checked against a reference computed straight from the definition, with cuts that cross
// chunk boundaries, and a single flipped byte in any chunk must change it.

const MiB = 1024 * 1024;
// Four whole chunks and a partial fifth, so the last chunk is short.
const SIZE = 4 * MiB + 123_457;
let data: Buffer;
let expected: string;

/** Cuts `bytes` into pieces of the given lengths, repeated, the last piece whatever remains. */
function cut(bytes: Buffer, lengths: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = Math.min(lengths[i % lengths.length]!, bytes.length - off);
    pieces.push(bytes.subarray(off, off + n));
    off += n;
  }
  return pieces;
}

// Cuts at odd sizes, at one byte, at sizes larger than a chunk, and in one piece.
const CUTS: number[][] = [[SIZE], [MiB - 1, 2, 777_777], [3 * MiB + 5], [65_536, 1, 1_000_003]];

/** Positions to flip: each chunk's first and last byte and one inside it, the partial last chunk included. */
function flipPositions(): number[] {
  const at: number[] = [];
  for (let c = 0; c * MiB < SIZE; c++) {
    const end = Math.min((c + 1) * MiB, SIZE);
    at.push(c * MiB, c * MiB + 4_099, end - 1);
  }
  return at;
}

function flipped(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at]! ^= 0x01;
  return copy;
}

async function mainThreadFingerprint(pieces: Buffer[]): Promise<string> {
  const h = await createFingerprint();
  for (const p of pieces) h.update(p);
  return h.hex();
}

/** The pool over three shared buffers (smaller than the pieces' sum), copying each piece in before its update. */
async function poolFingerprint(pool: FingerprintPool, bufs: Buffer[], pieces: Buffer[]): Promise<string> {
  const free = bufs.map(() => Promise.resolve());
  for (let i = 0; i < pieces.length; i++) {
    const slot = i % bufs.length;
    await free[slot];
    const piece = pieces[i]!;
    // A piece that does not fit a buffer goes in buffer-sized parts.
    for (let off = 0; off < piece.length; off += bufs[slot]!.length) {
      await free[slot];
      const part = piece.subarray(off, off + bufs[slot]!.length);
      part.copy(bufs[slot]!);
      free[slot] = pool.update(bufs[slot]!.subarray(0, part.length));
    }
  }
  await Promise.all(free);
  return pool.digest();
}

beforeAll(async () => {
  data = randomBytes(SIZE);
  expected = await referenceFingerprint(data);
});

describe('verify fingerprint (XXH64 per 1 MiB chunk under XXH3-128)', () => {
  it('on the calling thread: the same for every cut, different for a flipped byte in any chunk', async () => {
    for (const lengths of CUTS) expect(await mainThreadFingerprint(cut(data, lengths))).toBe(expected);
    for (const at of flipPositions()) {
      const other = await mainThreadFingerprint(cut(flipped(data, at), CUTS[1]!));
      expect(other, `flipped byte at ${at}`).not.toBe(expected);
      expect(other).toBe(await referenceFingerprint(flipped(data, at)));
    }
    // The length is part of it: a trailing zero byte is not the same stream.
    expect(await mainThreadFingerprint([data, Buffer.alloc(1)])).not.toBe(expected);
  });

  it('on three threads from shared buffers: the same for every cut, again after restart(), and flips show', async () => {
    const bufs = Array.from({ length: 3 }, () => allocAligned(1_500_007, true));
    const pool = new FingerprintPool(bufs, 3);
    try {
      for (const lengths of CUTS) {
        expect(await poolFingerprint(pool, bufs, cut(data, lengths))).toBe(expected);
        pool.restart();
      }
      for (const at of flipPositions()) {
        expect(await poolFingerprint(pool, bufs, cut(flipped(data, at), CUTS[3]!)), `flip at ${at}`).toBe(
          await referenceFingerprint(flipped(data, at)),
        );
        pool.restart();
      }
    } finally {
      pool.close();
    }
  });

  describe('read back from a loop device', () => {
    let dir: string;
    let dev: string | undefined;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'kintsugi-fingerprint-'));
      const file = join(dir, 'device.bin');
      // The stream sits at 1 MiB + 4 KiB: its chunks do not line up with the device's 4 MiB reads.
      const device = Buffer.alloc(8 * MiB, 0xab);
      data.copy(device, MiB + 4096);
      await writeFile(file, device);
      dev = await attachLoop(file);
    });
    afterAll(async () => {
      if (dev) await detachLoop(dev);
      await rm(dir, { recursive: true, force: true });
    });

    it('equals the fingerprint of the same bytes, over one range and over ranges cut apart', async () => {
      const start = MiB + 4096;
      const handle = await openDevice(dev!, 'read');
      const watch = await watchDrive(dev!);
      try {
        const read = (ranges: { start: number; end: number }[], threads: number) =>
          fingerprintDeviceRanges(handle, ranges, { watch, threads });
        expect(await read([{ start, end: start + SIZE }], 2)).toBe(expected);
        // Ranges back to back (as a bmap's mapped ranges are hashed), split at a 4 KiB boundary inside a chunk.
        const split = start + 2 * MiB + 8192;
        expect(
          await read(
            [
              { start, end: split },
              { start: split, end: start + SIZE },
            ],
            3,
          ),
        ).toBe(expected);
        // One byte short of the stream is another stream.
        expect(await read([{ start, end: start + SIZE - 1 }], 2)).not.toBe(expected);
      } finally {
        watch.stop();
        await handle.fh.close();
      }
    });
  });
});
