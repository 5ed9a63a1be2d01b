import type { ErrorPayload } from '../errors';
import type { JobHost } from '../ipc/define';
import type { Progress } from '../progress';

// What main's job service keeps of every job, on disk: enough to tell after a crash what ran, how far it got and
// what it left, and to attach the log to a report. Params are stored with secrets removed.

export type JobState = 'running' | 'done' | 'failed' | 'interrupted';

export interface JobRecord {
  id: string;
  type: string;
  title: string;
  host: JobHost;
  params: unknown;
  state: JobState;
  startedAt: string;
  endedAt?: string;
  /** The last progress seen: where an interrupted job stopped. */
  last?: Progress;
  result?: unknown;
  error?: ErrorPayload;
  /** The flow that started it (e.g. "reflash"), so a page can find its jobs again. */
  flow?: string;
}
