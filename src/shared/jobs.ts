import { z } from 'zod';
import type { ErrorPayload } from './errors';
import type { Progress } from './progress';
import type { BackupManifest, FlashResult, ImageReport, PersistenceStoreInfo } from './model';

// Long work runs as a job: start it, receive events, cancel it. The same request shapes are validated by
// main (IPC payloads) and again by the privileged helper (NDJSON requests).

const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'must be an absolute path');
const devicePath = absolutePath.refine((p) => p.startsWith('/dev/'), 'must be a device under /dev');
const imageSource = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => s.startsWith('/') || /^https?:\/\//.test(s), 'must be an absolute path or an http(s) URL');

export const imageCheckParams = z.strictObject({
  source: imageSource,
  sha256File: imageSource.optional(),
  minisigFile: imageSource.optional(),
  pubkey: z.string().min(1).max(8192).optional(),
  /** Decompress the whole image to prove it is not truncated (slower). */
  fullCheck: z.boolean().optional(),
});

export const flashParams = z.strictObject({
  image: absolutePath,
  device: devicePath,
  includeLoop: z.boolean().default(false),
  bmap: absolutePath.optional(),
  /** sha256 of the compressed file or image, already checked by image-check, re-checked while streaming. */
  expectedSha256: z
    .strictObject({ target: z.enum(['compressed', 'image']), value: z.string().regex(/^[0-9a-f]{64}$/) })
    .optional(),
  verify: z.boolean().default(true),
});

export const verifyDriveParams = z.strictObject({
  image: absolutePath,
  device: devicePath,
  includeLoop: z.boolean().default(false),
  bmap: absolutePath.optional(),
});

export const backupParams = z.strictObject({
  /** A directory, or a drive / image file that holds a persistence store. */
  source: absolutePath,
  destRoot: absolutePath,
  includeLoop: z.boolean().default(false),
});

export const restoreParams = z.strictObject({
  backupDir: absolutePath,
  /** A directory, or a drive / image file that holds a persistence store. */
  target: absolutePath,
  includeLoop: z.boolean().default(false),
});

export const findPersistenceParams = z.strictObject({
  container: absolutePath,
  includeLoop: z.boolean().default(false),
});

export const jobRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('image-check'), params: imageCheckParams }),
  z.strictObject({ type: z.literal('flash'), params: flashParams }),
  z.strictObject({ type: z.literal('verify-drive'), params: verifyDriveParams }),
  z.strictObject({ type: z.literal('backup'), params: backupParams }),
  z.strictObject({ type: z.literal('restore'), params: restoreParams }),
  z.strictObject({ type: z.literal('find-persistence'), params: findPersistenceParams }),
]);

export type JobRequest = z.input<typeof jobRequest>;
export type JobType = JobRequest['type'];
export type ImageCheckParams = z.output<typeof imageCheckParams>;
export type FlashParams = z.output<typeof flashParams>;
export type VerifyDriveParams = z.output<typeof verifyDriveParams>;
export type BackupParams = z.output<typeof backupParams>;
export type RestoreParams = z.output<typeof restoreParams>;
export type FindPersistenceParams = z.output<typeof findPersistenceParams>;

export interface RestoreResult {
  backupDir: string;
  target: string;
  files: number;
  bytes: number;
  verified: boolean;
  durationMs: number;
}

export interface JobResults {
  'image-check': ImageReport;
  flash: FlashResult;
  'verify-drive': FlashResult;
  backup: BackupManifest & { path: string };
  restore: RestoreResult;
  'find-persistence': PersistenceStoreInfo;
}

/** Jobs that need root: the GUI sends them to the privileged helper. */
export const PRIVILEGED_JOBS: ReadonlySet<JobType> = new Set([
  'flash',
  'verify-drive',
  'backup',
  'restore',
  'find-persistence',
]);

export type JobEvent =
  | { jobId: string; type: 'progress'; progress: Progress }
  | { jobId: string; type: 'log'; message: string }
  | { jobId: string; type: 'done'; result: unknown }
  | { jobId: string; type: 'failed'; error: ErrorPayload };

export type JobStatus =
  | { jobId: string; jobType: JobType; state: 'running'; last?: Progress }
  | { jobId: string; jobType: JobType; state: 'done'; result: unknown }
  | { jobId: string; jobType: JobType; state: 'failed'; error: ErrorPayload };
