import type { JobEvent, JobRequest, JobStatus } from '../../shared/jobs';
import type { PickPurpose } from '../../shared/contract';
import type { BackupSummary, DriveView, Settings, WizardState } from '../../shared/model';

// What the one handler object needs from the outside world. Everything is injected so the same handlers run
// inside Electron (src/main/index.ts), in the e2e harness (test/e2e) and in unit tests, with no 'electron' import.

/** The job runner's surface as the handlers use it (matches core/jobs/job-runner.ts's JobRunner). */
export interface JobRunnerPort<E> {
  start(req: JobRequest, executor: E): string | Promise<string>;
  cancel(jobId: string): boolean | Promise<boolean>;
  status(jobId: string): JobStatus | null | undefined | Promise<JobStatus | null | undefined>;
  onEvent(listener: (event: JobEvent) => void): () => void;
}

export interface SettingsPort {
  load(): Promise<Settings>;
  save(patch: Partial<Settings>): Promise<Settings>;
}

export interface WizardPort {
  load(): Promise<WizardState>;
  save(state: WizardState): Promise<WizardState>;
  reset(): Promise<WizardState>;
}

export interface HandlerDeps<E> {
  jobRunner: JobRunnerPort<E>;
  /** Picks who runs a job: in-process for unprivileged jobs, the privileged helper for the rest. */
  executorFor(req: JobRequest): E | Promise<E>;
  settings: SettingsPort;
  wizard: WizardPort;
  listDrives(opts: { includeLoop: boolean; imageSize?: number; imagePath?: string }): Promise<DriveView[]>;
  listBackups(dir: string): Promise<BackupSummary[]>;
  /** The native chooser in Electron; a stand-in in the e2e harness. */
  pickPath(purpose: PickPurpose): Promise<string | null>;
}
