import { z } from 'zod';
import { jobRequest, type JobEvent, type JobRequest, type JobStatus } from './jobs';
import type { ApiMethodName } from './channels';
import { WIZARD_STEPS, type BackupSummary, type DriveView, type Settings, type WizardState } from './model';

// The one contract between the renderer and main. Main implements it as one handler object
// (src/main/api/handlers.ts), the preload exposes each entry as a named function on window.kintsugi, and the
// e2e harness serves the same handler object to Chromium. Change it here and every side follows.

const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/'), 'must be an absolute path');

const settingsPatch = z.strictObject({
  includeLoop: z.boolean().optional(),
  pubkey: z.string().max(8192).optional(),
  backupDir: absolutePath.optional(),
  dataRoot: absolutePath.optional(),
  cacheDir: absolutePath.optional(),
});

const wizardState = z
  .object({ step: z.enum(WIZARD_STEPS), durations: z.record(z.string(), z.number()).default({}) })
  .passthrough();

/** Argument schemas, one per API entry: main validates every payload against these before acting. */
export const API_ARGS = {
  getSettings: z.tuple([]),
  saveSettings: z.tuple([settingsPatch]),
  listDrives: z.tuple([
    z.strictObject({
      includeLoop: z.boolean().optional(),
      imageSize: z.number().int().nonnegative().optional(),
      imagePath: absolutePath.optional(),
    }),
  ]),
  startJob: z.tuple([jobRequest]),
  cancelJob: z.tuple([z.strictObject({ jobId: z.string().min(1).max(100) })]),
  getJob: z.tuple([z.strictObject({ jobId: z.string().min(1).max(100) })]),
  listBackups: z.tuple([z.strictObject({ dir: absolutePath })]),
  getWizardState: z.tuple([]),
  saveWizardState: z.tuple([wizardState]),
  resetWizard: z.tuple([]),
  getFreeSpace: z.tuple([z.strictObject({ path: absolutePath })]),
  pickPath: z.tuple([
    z.strictObject({ purpose: z.enum(['image', 'checksum', 'signature', 'backup-dir', 'pubkey']) }),
  ]),
} as const;

export type PickPurpose = z.infer<(typeof API_ARGS)['pickPath']>[0]['purpose'];

export interface KintsugiApi {
  getSettings(): Promise<Settings>;
  saveSettings(patch: Partial<Settings>): Promise<Settings>;
  listDrives(req: { includeLoop?: boolean; imageSize?: number; imagePath?: string }): Promise<DriveView[]>;
  startJob(req: JobRequest): Promise<{ jobId: string }>;
  cancelJob(req: { jobId: string }): Promise<{ cancelled: boolean }>;
  getJob(req: { jobId: string }): Promise<JobStatus | null>;
  listBackups(req: { dir: string }): Promise<BackupSummary[]>;
  getWizardState(): Promise<WizardState>;
  saveWizardState(state: WizardState): Promise<WizardState>;
  resetWizard(): Promise<WizardState>;
  /** Free and total bytes of the filesystem holding path (the nearest existing parent when path is missing). */
  getFreeSpace(req: { path: string }): Promise<{ path: string; free: number; total: number }>;
  /** Opens a native file or folder chooser; null when the user cancels. */
  pickPath(req: { purpose: PickPurpose }): Promise<string | null>;
}

export type ApiMethod = keyof KintsugiApi;
export { API_METHODS, IPC_PREFIX, JOB_EVENT_CHANNEL, channelFor } from './channels';

// The list in channels.ts, the schemas above and the interface must name the same entries.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameEntries: Same<ApiMethodName, ApiMethod> & Same<keyof typeof API_ARGS, ApiMethod> = true;
void _sameEntries;

/** Every invoke travels as { ok, value } or { ok: false, error } so errors keep their code across IPC. */
export type ApiResponse<T> = { ok: true; value: T } | { ok: false; error: import('./errors').ErrorPayload };

/** What the preload puts on window.kintsugi: the API plus the job event subscription. */
export interface KintsugiBridge extends KintsugiApi {
  onJobEvent(listener: (event: JobEvent) => void): () => void;
}
