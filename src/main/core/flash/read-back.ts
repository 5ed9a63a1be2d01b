import { KintsugiError } from '../../../shared/errors';
import type { ByteRange } from '../image/bmap';
import { allocAligned, roundUp } from './aligned-buffer';
import { ioError, type DeviceHandle } from './device-io';
import type { DriveWatch } from './drive-watch';
import { FINGERPRINT_ALGORITHM } from './fingerprint';
import { HashWorker } from './hash-worker';

// Reads byte ranges of a device (O_DIRECT when the handle has it, so the medium is read, not the page cache) and
// fingerprints them in order (fingerprint.ts: what the flash computed over the bytes it wrote). A ring of
// buffers: several reads are in flight while a worker thread hashes the buffers already read, in order (the
// hash runs at about the speed of the reads, so on one thread it would double the time).

const READ_BUFFERS = 4;

export async function fingerprintDeviceRanges(
  dev: DeviceHandle,
  ranges: ByteRange[],
  opts: { watch: DriveWatch; signal?: AbortSignal; onBytes?: (n: number) => void; chunkSize?: number },
): Promise<string> {
  const chunk = opts.chunkSize ?? 4 * 1024 * 1024;
  const bufs = Array.from({ length: READ_BUFFERS }, () => allocAligned(chunk + dev.blockSize, true));
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

  const hasher = new HashWorker(bufs, undefined, FINGERPRINT_ALGORITHM);
  try {
    // Per buffer: settles once its last piece was read and hashed (the buffer may then be read into again).
    const free: Promise<void>[] = bufs.map(() => Promise.resolve());
    // Pieces reach the hasher in order, whatever order their reads complete in.
    let inOrder: Promise<void> = Promise.resolve();
    for (let i = 0; i < pieces.length; i++) {
      const slot = i % bufs.length;
      const buf = bufs[slot]!;
      const piece = pieces[i]!;
      await free[slot];
      if (opts.signal?.aborted)
        throw new KintsugiError('CANCELLED', `reading back ${dev.device} was cancelled`);
      const done = read(piece, buf);
      // Keep a failing read from surfacing as an unhandled rejection before the chain reaches it.
      done.catch(() => {});
      inOrder = inOrder
        .then(() => done)
        .then(() => hasher.update(buf.subarray(0, piece.len)))
        .then(() => opts.onBytes?.(piece.len));
      inOrder.catch(() => {}); // observed by the next await on it, or the final one
      free[slot] = inOrder;
    }
    await inOrder;
    return await hasher.digest();
  } finally {
    hasher.close();
  }
}
