import { KintsugiError } from '../../../shared/errors';
import type { VerifyDriveParams } from '../../../shared/jobs';
import type { FlashResult } from '../../../shared/model';
import type { JobContext } from '../jobs/context';
import { openDecompressed } from '../image/decompress';
import type { ByteRange } from '../image/bmap';
import type { DriveWatchOptions } from './drive-watch';
import { readBackFingerprint } from './flash';
import { createFingerprint, FINGERPRINT_ALGORITHM } from './fingerprint';
import { describeImageInput } from './image-input';
import { RangeCutter } from './ranges';
import { defaultTargetDeps, type TargetDeps } from './target';

// `kintsugi verify IMAGE DEVICE`: does the drive hold this image? Fingerprints (fingerprint.ts, as a flash's read-back
// does) the image's decompressed stream (only the mapped ranges with a bmap) and the same ranges read back from the
// drive, side by side when the image size is known up front, and compares. Read-only: the drive is neither unmounted nor opened for writing.

export async function verifyDrive(
  params: VerifyDriveParams,
  ctx: JobContext,
  opts: DriveWatchOptions & { deps?: TargetDeps } = {},
): Promise<FlashResult> {
  const started = performance.now();
  const deps = opts.deps ?? defaultTargetDeps;
  const image = await describeImageInput(params.image, params.bmap);
  const drive = await deps.resolveTargetDrive(params.device, {
    includeLoop: params.includeLoop,
    imageSize: image.imageSize,
  });

  const hashImage = async (): Promise<{ digest: string; total: number }> => {
    // Ready before the decoder starts: its output stream may already be flowing (lost chunks, a wrong hash).
    const h = await createFingerprint();
    const dec = openDecompressed(image.path, image.compression, { signal: ctx.signal });
    const cutter = new RangeCutter(image.ranges);
    let total = 0;
    try {
      for await (const chunk of dec.stream as AsyncIterable<Buffer>) {
        cutter.cut(total, chunk, (_o, piece) => h.update(piece));
        total += chunk.length;
      }
      await dec.done;
    } catch (err) {
      dec.destroy();
      await dec.done.catch(() => {});
      if (ctx.signal.aborted) throw new KintsugiError('CANCELLED', `verifying ${drive.device} was cancelled`);
      throw err;
    }
    return { digest: h.hex(), total };
  };

  let ranges: ByteRange[] | undefined =
    image.ranges ?? (image.imageSize !== undefined ? [{ start: 0, end: image.imageSize }] : undefined);
  let imageDigest: string;
  let driveDigest: string;
  if (ranges) {
    const known = ranges;
    [{ digest: imageDigest }, driveDigest] = await Promise.all([
      hashImage(),
      readBackFingerprint(drive.device, known, ctx, opts),
    ]);
  } else {
    const r = await hashImage();
    imageDigest = r.digest;
    ranges = [{ start: 0, end: r.total }];
    driveDigest = await readBackFingerprint(drive.device, ranges, ctx, opts);
  }
  const bytes = ranges.reduce((n, r) => n + (r.end - r.start), 0);
  if (bytes > drive.size)
    throw new KintsugiError(
      'IMAGE_TOO_LARGE',
      `the image needs ${bytes} bytes but ${drive.device} has ${drive.size}`,
    );
  if (imageDigest !== driveDigest)
    throw new KintsugiError(
      'FLASH_VERIFY_MISMATCH',
      `${drive.device} does not hold ${image.path}: ${FINGERPRINT_ALGORITHM} ${driveDigest} on the drive, ${imageDigest} in the image`,
    );
  const durationMs = performance.now() - started;
  return {
    device: drive.device,
    bytesWritten: bytes,
    fingerprint: { algorithm: FINGERPRINT_ALGORITHM, hex: imageDigest },
    hashes: [
      { algorithm: FINGERPRINT_ALGORITHM, over: 'written' },
      { algorithm: FINGERPRINT_ALGORITHM, over: 'read-back' },
    ],
    verified: true,
    usedBmap: !!image.ranges,
    durationMs,
    verifyDurationMs: durationMs,
  };
}
