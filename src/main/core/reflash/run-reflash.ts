import { KintsugiError } from '../../../shared/errors';
import type { JobRequest, JobResults, JobType, RestoreResult } from '../../../shared/jobs';
import type { FlashResult, ImageReport } from '../../../shared/model';
import type { ReflashStep } from '../../../shared/progress';
import { resolveTargetDrive } from '../drives/resolve-target';
import type { JobContext } from '../jobs/context';
import type { JobExecutor } from '../jobs/executor';

// The reflash wizard without a screen: check the image, back up the drive's persistence store (verified), flash
// with read-back verify, restore the backup into the NEW image's persistence store, summarise. Every step is a
// job on the given executor (in-process for the CLI as root, the helper for privileged steps in the GUI), so the
// same safety gates apply. Nothing is persisted here: the GUI keeps wizard state, the CLI prints the summary.

export interface ReflashParams {
  image: string;
  sha256File?: string;
  minisigFile?: string;
  pubkey?: string;
  device: string;
  backupTo: string;
  includeLoop: boolean;
  /** Flash without a backup. Only set after the user typed the drive's name (the CLI's --skip-backup path). */
  skipBackup?: boolean;
}

export interface ReflashSummary {
  image: Pick<ImageReport, 'source' | 'path' | 'compression' | 'fileSize' | 'imageSize' | 'version'>;
  device: string;
  hashes: {
    /** The published checksum that was checked, and which bytes it named. */
    published?: { target: 'compressed' | 'image'; fileName: string; value: string };
    signature?: { ok: boolean; keyId?: string; trustedComment?: string };
    /** sha256 of what was written to the drive (whole image or the bmap's mapped ranges). */
    written: string;
  };
  bytes: { image: number; written: number; backedUp?: number; restored?: number };
  backup: { path: string; files: number; bytes: number; verified: boolean } | null;
  backupSkipped: boolean;
  flash: FlashResult;
  restore: RestoreResult | null;
  /** Milliseconds per step. */
  durations: Partial<Record<ReflashStep, number>>;
  totalMs: number;
}

export interface ReflashDeps {
  /** The early drive check, before anything is backed up; resolveTargetDrive by default. */
  checkDrive?: (
    device: string,
    opts: { includeLoop: boolean; imageSize?: number; imagePath?: string },
  ) => Promise<unknown>;
}

export async function runReflash(
  params: ReflashParams,
  ctx: JobContext,
  executor: JobExecutor,
  deps: ReflashDeps = {},
): Promise<ReflashSummary> {
  const checkDrive = deps.checkDrive ?? resolveTargetDrive;
  const durations: Partial<Record<ReflashStep, number>> = {};
  const t0 = performance.now();

  const step = async <T>(name: ReflashStep, message: string, body: () => Promise<T>): Promise<T> => {
    if (ctx.signal.aborted) throw new KintsugiError('CANCELLED', `before step ${name}`);
    ctx.progress({ kind: 'step', step: name, message });
    const start = performance.now();
    try {
      return await body();
    } finally {
      durations[name] = Math.round(performance.now() - start);
    }
  };
  const job = <T extends JobType>(req: Extract<JobRequest, { type: T }>) =>
    executor.run(req, ctx) as Promise<JobResults[T]>;

  const image = await step('image', `Checking ${params.image}`, async () => {
    const report = await job({
      type: 'image-check',
      params: {
        source: params.image,
        ...(params.sha256File ? { sha256File: params.sha256File } : {}),
        ...(params.minisigFile ? { minisigFile: params.minisigFile } : {}),
        ...(params.pubkey ? { pubkey: params.pubkey } : {}),
      },
    });
    assertImageTrusted(report, params);
    return report;
  });

  await step('drive', `Checking ${params.device}`, () =>
    checkDrive(params.device, {
      includeLoop: params.includeLoop,
      imageSize: image.imageSize,
      imagePath: image.path,
    }),
  );

  let backup: JobResults['backup'] | null = null;
  if (params.skipBackup) {
    ctx.log(`Backup skipped on request: the data on ${params.device} will be lost.`);
  } else {
    backup = await step(
      'backup',
      `Backing up the persistence store of ${params.device} to ${params.backupTo}`,
      () =>
        job({
          type: 'backup',
          params: { source: params.device, destRoot: params.backupTo, includeLoop: params.includeLoop },
        }),
    );
    // The one rule this module exists for: no flash over data that is not safely copied.
    if (!backup.verified)
      throw new KintsugiError('BACKUP_VERIFY_FAILED', `backup ${backup.path} was not verified`);
  }
  const keepNote = backup ? `; your backup is safe at ${backup.path}` : '';

  const flash = await step('flash', `Writing ${image.path} to ${params.device}`, () =>
    withNote(keepNote, async () => {
      const r = await job({
        type: 'flash',
        params: {
          image: image.path,
          device: params.device,
          includeLoop: params.includeLoop,
          verify: true,
          ...(image.bmap ? { bmap: image.bmap.path } : {}),
          ...(image.checksum?.ok
            ? { expectedSha256: { target: image.checksum.target, value: image.checksum.expected } }
            : {}),
        },
      });
      if (!r.verified)
        throw new KintsugiError('FLASH_VERIFY_MISMATCH', `${params.device} was written but not verified`);
      return r;
    }),
  );

  let restore: RestoreResult | null = null;
  if (backup) {
    const from = backup.path;
    restore = await step(
      'restore',
      `Restoring ${from} into the new persistence store on ${params.device}`,
      () =>
        withNote(keepNote, async () => {
          const r = await job({
            type: 'restore',
            params: { backupDir: from, target: params.device, includeLoop: params.includeLoop },
          });
          if (!r.verified)
            throw new KintsugiError('RESTORE_FAILED', `restore into ${params.device} was not verified`);
          return r;
        }),
    );
  }

  ctx.progress({ kind: 'step', step: 'done', message: `Reflashed ${params.device}` });
  return {
    image: {
      source: image.source,
      path: image.path,
      compression: image.compression,
      fileSize: image.fileSize,
      imageSize: image.imageSize,
      version: image.version,
    },
    device: params.device,
    hashes: {
      ...(image.checksum
        ? {
            published: {
              target: image.checksum.target,
              fileName: image.checksum.fileName,
              value: image.checksum.expected,
            },
          }
        : {}),
      ...(image.signature ? { signature: image.signature } : {}),
      written: flash.sha256,
    },
    bytes: {
      image: image.imageSize ?? flash.bytesWritten,
      written: flash.bytesWritten,
      ...(backup ? { backedUp: backup.bytes } : {}),
      ...(restore ? { restored: restore.bytes } : {}),
    },
    backup: backup
      ? { path: backup.path, files: backup.files, bytes: backup.bytes, verified: backup.verified }
      : null,
    backupSkipped: Boolean(params.skipBackup),
    flash,
    restore,
    durations,
    totalMs: Math.round(performance.now() - t0),
  };
}

/** checkImage throws on a bad checksum or signature; this refuses a report that merely lacks what was asked for. */
export function assertImageTrusted(
  report: ImageReport,
  params: Pick<ReflashParams, 'sha256File' | 'minisigFile'>,
): void {
  if (params.sha256File && !report.checksum) {
    throw new KintsugiError(
      'IMAGE_CHECKSUM_MISSING',
      `${params.sha256File} has no entry for ${report.source}`,
    );
  }
  if (report.checksum && !report.checksum.ok) {
    throw new KintsugiError(
      'IMAGE_CHECKSUM_MISMATCH',
      `${report.checksum.fileName}: expected ${report.checksum.expected}`,
    );
  }
  if (params.minisigFile && !report.signature?.ok) {
    throw new KintsugiError(
      'IMAGE_SIGNATURE_INVALID',
      `${params.minisigFile} does not verify ${report.source}`,
    );
  }
}

/** Adds where the backup is to any failure after it was taken, so the user knows their data is safe. */
async function withNote<T>(note: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (!note || !(err instanceof KintsugiError)) throw err;
    throw new KintsugiError(err.code, `${err.detail ?? err.message}${note}`, {
      message: err.message,
      hint: err.hint,
      cause: err,
    });
  }
}
