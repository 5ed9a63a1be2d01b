import { KintsugiError } from '../../../shared/errors';
import type { ByteRange } from '../image/bmap';
import { allocAligned, roundUp } from './aligned-buffer';
import { ioError, type DeviceHandle } from './device-io';
import type { DriveWatch } from './drive-watch';
import { createFingerprint } from './fingerprint';

// Reads byte ranges of a device (O_DIRECT when the handle has it, so the medium is read, not the page cache) and
// fingerprints them in order (fingerprint.ts: what the flash computed over the bytes it wrote). Two buffers: the
// next read is in flight while the current chunk is hashed.

export async function fingerprintDeviceRanges(
  dev: DeviceHandle,
  ranges: ByteRange[],
  opts: { watch: DriveWatch; signal?: AbortSignal; onBytes?: (n: number) => void; chunkSize?: number },
): Promise<string> {
  const chunk = opts.chunkSize ?? 4 * 1024 * 1024;
  const bufs = [allocAligned(chunk + dev.blockSize), allocAligned(chunk + dev.blockSize)];
  const hash = await createFingerprint();
  const pieces: { offset: number; len: number }[] = [];
  for (const r of ranges)
    for (let p = r.start; p < r.end; p += chunk) pieces.push({ offset: p, len: Math.min(chunk, r.end - p) });

  const read = async (i: number): Promise<Buffer> => {
    const { offset, len } = pieces[i]!;
    const buf = bufs[i % 2]!;
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
    return buf;
  };

  let next: Promise<Buffer> | undefined = pieces.length > 0 ? read(0) : undefined;
  for (let i = 0; i < pieces.length; i++) {
    const buf = await next!;
    if (opts.signal?.aborted)
      throw new KintsugiError('CANCELLED', `reading back ${dev.device} was cancelled`);
    next = i + 1 < pieces.length ? read(i + 1) : undefined;
    // Keep a failing prefetch from surfacing as an unhandled rejection if this iteration throws first.
    next?.catch(() => {});
    hash.update(buf.subarray(0, pieces[i]!.len));
    opts.onBytes?.(pieces[i]!.len);
  }
  return hash.hex();
}
