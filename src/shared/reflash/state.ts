import { z } from 'zod';
import type { BackupManifest, FlashResult, ImageReport } from '../model';
import { absolutePath, jobId, pathOrUrl } from '../paths';
import { REFLASH_STEPS } from '../progress';
import type { RestoreResult } from '../backup/contract';

// The reflash flow's state. Main owns it (on disk, written after every change) and is its only writer: the
// renderer reads it and sends intents. The nested reports come from our own jobs; the fields the gates act on
// are typed strictly, so a damaged file is moved aside instead of unlocking a step.

const record = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null);

const backupTaken = z.object({
  path: absolutePath,
  /** The drive it was taken from (canonical device path). */
  device: absolutePath,
  manifest: record<BackupManifest>().refine(
    (m) => (m as BackupManifest).verified === true,
    'a backup in the flow state is always verified',
  ),
});

export const reflashStateSchema = z.strictObject({
  step: z.enum(REFLASH_STEPS),
  imageSource: pathOrUrl.optional(),
  sha256File: pathOrUrl.optional(),
  minisigFile: pathOrUrl.optional(),
  /** The image was chosen with "ignore the .bmap": checked and flashed without it. */
  noBmap: z.boolean().optional(),
  image: record<ImageReport>().optional(),
  /** The chosen drive, always canonical (/dev/sdb, /dev/loop3), never a link to it. */
  device: absolutePath.optional(),
  backupDir: absolutePath.optional(),
  backup: backupTaken.optional(),
  /** Set by a typed confirmation naming this device; flashing without a backup is allowed only for it. */
  backupSkippedFor: absolutePath.optional(),
  /** Set before the first byte is written and never cleared by the flow: from then on the drive holds (part of)
   * the new image, so it is never backed up again and the backup to restore is fixed. */
  writtenDevice: absolutePath.optional(),
  flash: record<FlashResult>().optional(),
  restore: record<RestoreResult>().optional(),
  /** "Restore an existing backup": the flow started from a backup rather than from an image. */
  restoreOnly: z.boolean().optional(),
  activeJob: z.strictObject({ jobId, type: z.string().max(64), startedAt: z.string().max(64) }).optional(),
  durations: z.record(z.string(), z.number()).default({}),
  /** Speeds measured by earlier jobs (bytes/s), for the time estimates of later steps. */
  speeds: z.record(z.string(), z.number()).optional(),
  updatedAt: z.string().optional(),
});

export type ReflashState = z.output<typeof reflashStateSchema>;

export function freshReflashState(): ReflashState {
  return { step: 'image', durations: {} };
}
