import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format-bytes';
import type { FlashParams } from '../../../shared/jobs';
import type { FlashResult } from '../../../shared/model';
import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { AlignedWriter } from './aligned-writer';
import { openDevice, type DeviceHandle } from './device-io';
import { watchDrive, type DriveWatch, type DriveWatchOptions } from './drive-watch';
import { FingerprintPool } from './fingerprint-pool';
import { HashWorker } from './hash-worker';
import { bmapRangeCheck } from './range-check';
import { decodeInto, type DecodeRun } from './decode-into';
import { sha256OfFileInThread, type FileHash } from './file-sha256';
import { FINGERPRINT_ALGORITHM } from './fingerprint';
import { hashRuns, planHashes } from './hash-plan';
import { describeImageInput } from './image-input';
import { rangesBytes } from './ranges';
import { fingerprintDeviceRanges, type ReadBackHashing } from './read-back';
import { RingFeed } from './ring-feed';
import { defaultTargetDeps, type TargetDeps } from './target';

// Decode -> aligned direct writes, first MiB last, fsync, then read back. The decoder's output lands straight in a
// ring of 4 MiB write buffers (decode-into.ts, ring-feed.ts), two writes in flight, so memory stays flat whatever
// the image size and no byte is copied or allocated on the way. Hashes run only for a purpose (hash-plan.ts),
// each in a worker thread over the same buffers or the file: a published sha256 (over the file or the image) is
// checked, and a bmap's range checksums (as bmaptool checks them while copying), before the held-back first MiB
// is written; a verify compares a fingerprint (fingerprint.ts) of the written bytes with the bytes read back.

export interface FlashOptions extends DriveWatchOptions {
  deps?: TargetDeps;
  chunkSize?: number;
}

export async function flashDrive(
  params: FlashParams,
  ctx: JobContext,
  opts: FlashOptions = {},
): Promise<FlashResult> {
  const started = performance.now();
  const deps = opts.deps ?? defaultTargetDeps;
  const image = await describeImageInput(params.image, params.bmap);
  const drive = await deps.resolveTargetDrive(params.device, {
    includeLoop: params.includeLoop,
    imageSize: image.imageSize,
    imagePath: params.image,
  });
  const unmounted = await deps.unmountDrive(drive);
  if (unmounted.length > 0) ctx.log(`unmounted ${unmounted.join(', ')}`);
  cancelled(ctx.signal, drive.device);

  const dev = await openDevice(drive.device, 'write');
  if (!dev.direct) ctx.log(`${drive.device} does not accept O_DIRECT: writing with O_DSYNC instead`);
  const expected = params.expectedSha256;
  const check = image.bmap ? bmapRangeCheck(image.bmap, image.path) : undefined;
  const plan = planHashes({
    expected,
    compression: image.compression,
    usesBmap: !!image.ranges,
    rangeChecksums: check?.algo,
    verify: params.verify,
  });
  let watch: DriveWatch | undefined;
  let writer: AlignedWriter | undefined;
  let hasher: HashWorker | undefined;
  let rangeChecker: HashWorker | undefined;
  let fileHash: FileHash | undefined;
  let dec: DecodeRun | undefined;
  let fingerprint: FingerprintPool | undefined;
  let readBack: ReadBackHashing | undefined;
  let total = 0;
  let writtenHex: string | undefined;
  try {
    watch = await watchDrive(drive.device, opts);
    if (plan.fileSha256) fileHash = sha256OfFileInThread(image.path);
    // With a bmap, a sha256 of the image must see the skipped bytes too: it runs over the stream as decoded.
    const streamHash = plan.imageSha256 === 'stream' ? createHash('sha256') : undefined;
    const writeTotal = image.ranges ? rangesBytes(image.ranges) : image.imageSize;
    const meter = new ProgressMeter(writeTotal);
    const progress = (bytes: number) => {
      // Unknown decompressed size (gzip, streamed zstd): estimate from how far through the compressed file we are.
      const compressed = dec?.compressedBytes() ?? 0;
      const estimate =
        writeTotal ??
        (compressed > 0 ? Math.max(bytes, Math.round((bytes * image.fileSize) / compressed)) : bytes);
      const snap = meter.update(bytes);
      const eta =
        writeTotal === undefined && snap.speed > 0 ? Math.max(0, (estimate - bytes) / snap.speed) : snap.eta;
      ctx.progress({
        kind: 'flash',
        phase: 'write',
        bytes,
        total: estimate,
        speed: snap.speed,
        ...(eta !== undefined ? { eta } : {}),
      });
    };
    const w = new AlignedWriter(dev, {
      chunkSize: opts.chunkSize,
      deviceSize: drive.size,
      watch,
      signal: ctx.signal,
      onWritten: () => progress(w.written),
      onChunk: (bytes) => {
        const seen = [fingerprint, hasher, rangeChecker].flatMap((h) => (h ? [h.update(bytes)] : []));
        return seen.length === 0 ? undefined : Promise.all(seen).then(() => {});
      },
    });
    writer = w;
    if (plan.fingerprint) {
      // One pool for the writes and the read-back, which reads into the write ring once the writes are done: its
      // threads are ready when the first read lands, and the verify needs no memory of its own (peak RSS).
      fingerprint = new FingerprintPool(w.buffers);
      readBack = { pool: fingerprint, buffers: w.buffers };
    }
    if (plan.imageSha256 === 'write-buffers') hasher = new HashWorker(w.buffers);
    if (check) rangeChecker = new HashWorker(w.buffers, check);
    const feed = new RingFeed(w, image.ranges, streamHash);
    const run = await decodeInto(image.path, image.compression, feed, {
      signal: ctx.signal,
      // Compressed progress only feeds the size estimate above.
      countCompressed: writeTotal === undefined,
    });
    dec = run;
    const onAbort = () => run.destroy();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      // The decompressor must have exited cleanly before the head (partition table) is written.
      await run.done;
    } catch (err) {
      run.destroy();
      cancelled(ctx.signal, drive.device);
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    total = feed.position;
    cancelled(ctx.signal, drive.device);
    if (total === 0) throw new KintsugiError('IMAGE_CORRUPT', `${image.path} decompressed to 0 bytes`);
    if (image.bmap && total !== image.bmap.imageSize)
      throw new KintsugiError(
        'IMAGE_CORRUPT',
        `${image.path} decompressed to ${total} bytes but its bmap says ${image.bmap.imageSize}`,
      );
    await w.drain();
    await rangeChecker?.checkedAll();
    if (expected) {
      const actual = fileHash
        ? await fileHash.digest
        : hasher
          ? await hasher.digest()
          : streamHash?.digest('hex');
      if (actual !== expected.value)
        throw new KintsugiError(
          'IMAGE_CHECKSUM_MISMATCH',
          `sha256 of the ${expected.target === 'compressed' ? 'compressed file' : 'decompressed image'} ${image.path} is ${actual}, expected ${expected.value}; the drive's first MiB was not written`,
        );
    }
    await w.finish();
    progress(w.written); // the held-back first MiB is written last: this is the 100 %
    writtenHex = await fingerprint?.digest();
    fingerprint?.restart();
  } catch (err) {
    dec?.destroy();
    await dec?.done.catch(() => {});
    await writer?.settle();
    fingerprint?.close();
    hasher?.close();
    rangeChecker?.close();
    fileHash?.stop();
    watch?.stop();
    await closeSoon(dev.fh);
    throw partlyWritten(err, drive.device, writer?.written ?? 0);
  }
  hasher?.close();
  rangeChecker?.close();
  fileHash?.stop();
  watch.stop();
  // With O_DIRECT the same exclusive handle reads the medium back: the drive is held from the first write to the
  // last read, so a second flash (or a mount) cannot slip in between. Without O_DIRECT a fresh handle is needed
  // to get past the page cache; it is exclusive too.
  const keep = params.verify && dev.direct;
  if (!keep) await closeSoon(dev.fh);
  const durationMs = performance.now() - started;
  const written = writer.written;
  const result: FlashResult = {
    device: drive.device,
    bytesWritten: written,
    hashes: hashRuns(plan, false),
    verified: false,
    usedBmap: !!image.ranges,
    durationMs,
  };
  if (!params.verify || writtenHex === undefined) {
    fingerprint?.close();
    return result;
  }

  const verifyStart = performance.now();
  const ranges = image.ranges ?? [{ start: 0, end: total }];
  let actual: string;
  try {
    actual = await readBackFingerprint(drive.device, ranges, ctx, opts, keep ? dev : 'exclusive', readBack);
  } finally {
    fingerprint?.close();
    if (keep) await closeSoon(dev.fh);
  }
  if (actual !== writtenHex)
    throw new KintsugiError(
      'FLASH_VERIFY_MISMATCH',
      `${drive.device} reads back ${FINGERPRINT_ALGORITHM} ${actual} over ${written} bytes; ${writtenHex} was written`,
    );
  return {
    ...result,
    fingerprint: { algorithm: FINGERPRINT_ALGORITHM, hex: writtenHex },
    hashes: hashRuns(plan, true),
    verified: true,
    verifyDurationMs: performance.now() - verifyStart,
  };
}

/** Reads `ranges` of `device` back bypassing the page cache, with flash progress in phase 'verify'. */
export async function readBackFingerprint(
  device: string,
  ranges: { start: number; end: number }[],
  ctx: JobContext,
  opts: DriveWatchOptions = {},
  /** An open handle to read through (the caller closes it), or how to open one: shared by default. */
  through: DeviceHandle | 'exclusive' | 'shared' = 'shared',
  /** The flash's own pool and read buffers, already running; by default the read-back starts its own. */
  hashing?: ReadBackHashing,
): Promise<string> {
  const own = typeof through === 'string';
  const dev = own ? await openDevice(device, through === 'exclusive' ? 'read-exclusive' : 'read') : through;
  const release = () => (own ? closeSoon(dev.fh) : Promise.resolve());
  const watch = await watchDrive(device, opts).catch(async (e: unknown) => {
    await release();
    throw e;
  });
  const total = rangesBytes(ranges);
  const meter = new ProgressMeter(total);
  let bytes = 0;
  try {
    return await fingerprintDeviceRanges(dev, ranges, {
      watch,
      signal: ctx.signal,
      ...(hashing ? { hashing } : {}),
      onBytes: (n) => {
        bytes += n;
        ctx.progress({ kind: 'flash', phase: 'verify', ...meter.update(bytes), total });
      },
    });
  } finally {
    watch.stop();
    await release();
  }
}

/**
 * A failure once bytes have reached the drive says so plainly: the drive holds part of the new image (its first
 * MiB, written last, is the old one or none), will not boot as it is, and is fixed by flashing again.
 */
function partlyWritten(err: unknown, device: string, written: number): unknown {
  if (written <= 0 || !(err instanceof KintsugiError)) return err;
  const note = `${device} is now partly overwritten (${formatBytes(written)}) and will not boot as it is: flash it again`;
  return new KintsugiError(err.code, `${err.detail ?? err.message}. ${note}`, {
    message: err.message,
    hint: err.hint,
    cause: err,
  });
}

function cancelled(signal: AbortSignal, device: string): void {
  if (signal.aborted)
    throw new KintsugiError('CANCELLED', `flashing ${device} was cancelled; its first MiB was not written`);
}

/**
 * Closes the device without waiting forever: FileHandle.close() waits for I/O in flight, and a write stuck on a
 * vanished drive may never return. The job fails promptly; the close completes whenever the kernel lets go.
 */
async function closeSoon(fh: FileHandle, ms = 2000): Promise<void> {
  const closing = fh.close().catch(() => {});
  await Promise.race([closing, new Promise((r) => setTimeout(r, ms).unref())]);
}
