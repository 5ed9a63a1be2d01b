import { KintsugiError } from '../../../shared/errors';
import type { ByteRange } from '../image/bmap';
import { allocAligned, roundDown, roundUp } from './aligned-buffer';
import { ioError, type DeviceHandle } from './device-io';
import type { DriveWatch } from './drive-watch';
import { FingerprintPool, fingerprintThreads } from './fingerprint-pool';

// Reads byte ranges of a device (O_DIRECT when the handle has it, so the medium is read, not the page cache) and
// fingerprints them (fingerprint.ts: what the flash computed over the bytes it wrote). A ring of aligned buffers:
// a buffer is read into as soon as its last bytes were hashed, so reads stay in flight while the threads of a
// FingerprintPool hash the buffers already read. Pieces are handed to the pool in stream order (the moment their
// read and every earlier one completed), not after the earlier ones were hashed: waiting for the hash there is
// what made one hashing thread the pace of the old read-back.

/** Reads in flight at once, beside the buffers being hashed: two keep the device busy, like dd's one plus the next. */
const READS_IN_FLIGHT = 2;
const READ_SIZE = 4 * 1024 * 1024;

/**
 * What the read-back hashes with: a pool that already runs (see FingerprintPool.restart) and the buffers it knows,
 * each a multiple of the block size plus one spare block (as readBackBuffers and AlignedWriter allocate them).
 */
export interface ReadBackHashing {
  pool: FingerprintPool;
  buffers: Buffer[];
}

/** The read buffers for `threads` hashing threads: every thread may hash one while the next reads are in flight. */
export function readBackBuffers(blockSize: number, threads = fingerprintThreads()): Buffer[] {
  return Array.from({ length: threads + READS_IN_FLIGHT }, () => allocAligned(READ_SIZE + blockSize, true));
}

export async function fingerprintDeviceRanges(
  dev: DeviceHandle,
  ranges: ByteRange[],
  opts: {
    watch: DriveWatch;
    signal?: AbortSignal;
    onBytes?: (n: number) => void;
    /** Hashing threads when no `hashing` is given. */
    threads?: number;
    /** Hash with this pool and its buffers (the caller closes it); by default a pool of its own. */
    hashing?: ReadBackHashing;
  },
): Promise<string> {
  const bufs = opts.hashing?.buffers ?? readBackBuffers(dev.blockSize, opts.threads);
  // Each read fills one buffer, less its spare block.
  const chunk = roundDown(Math.min(...bufs.map((b) => b.length)) - dev.blockSize, dev.blockSize);
  const pieces: { offset: number; len: number }[] = [];
  for (const r of ranges)
    for (let p = r.start; p < r.end; p += chunk) pieces.push({ offset: p, len: Math.min(chunk, r.end - p) });

  const read = async (piece: { offset: number; len: number }, buf: Buffer): Promise<void> => {
    const { offset, len } = piece;
    const want = roundUp(len, dev.blockSize);
    let got = 0;
    while (got < want) {
      const what = `reading ${want - got} bytes at ${offset + got}`;
      const { bytesRead } = await opts.watch
        .guard(what, dev.fh.read(buf, got, want - got, offset + got))
        .catch((e: unknown) => {
          throw ioError(e, dev.device, what);
        });
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < len)
      throw new KintsugiError(
        'FLASH_VERIFY_MISMATCH',
        `${dev.device} ended at ${offset + got}, before the image's last byte at ${offset + len}`,
      );
  };

  const pool = opts.hashing?.pool ?? new FingerprintPool(bufs, opts.threads);
  try {
    // Per buffer: settles once its last piece was read and hashed (the buffer may then be read into again).
    const free: Promise<void>[] = bufs.map(() => Promise.resolve());
    // Settles once the previous piece was read and handed to the pool: pieces reach it in stream order.
    let handed: Promise<void> = Promise.resolve();
    for (let i = 0; i < pieces.length; i++) {
      const slot = i % bufs.length;
      const buf = bufs[slot]!;
      const piece = pieces[i]!;
      await free[slot];
      if (opts.signal?.aborted)
        throw new KintsugiError('CANCELLED', `reading back ${dev.device} was cancelled`);
      const done = read(piece, buf);
      done.catch(() => {}); // observed through `handed`; never an unhandled rejection meanwhile
      let hashed: Promise<void> = Promise.resolve();
      handed = handed
        .then(() => done)
        .then(() => {
          hashed = pool.update(buf.subarray(0, piece.len));
        });
      const thisHanded = handed;
      free[slot] = thisHanded.then(() => hashed).then(() => opts.onBytes?.(piece.len));
      free[slot].catch(() => {}); // observed by the next await on it, or the final one
    }
    await handed;
    await Promise.all(free);
    return await pool.digest();
  } finally {
    if (!opts.hashing) pool.close();
  }
}
