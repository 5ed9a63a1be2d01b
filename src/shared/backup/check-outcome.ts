import type { BackupCheckResult } from './contract';
import type { JobState } from '../jobs/record';

/** The part of a job entry (renderer/features/jobs/store.ts) the outcome is read from. */
export interface CheckJob {
  state: JobState;
  result?: unknown;
  error?: { message: string; detail?: string };
}

/**
 * What a backup's Check job says on its row in the restore list: running, OK with the count read, or the damaged
 * files by name (the first few; the count says how many in all). A failed job (the backup could not be checked
 * at all: an older version's backup, a refused folder) says why. Pure: the row only renders it.
 */
export type CheckOutcome =
  | { kind: 'running'; text: string }
  | { kind: 'ok'; text: string }
  | { kind: 'damaged'; text: string; files: string[] }
  | { kind: 'failed'; text: string };

export function checkOutcome(job: CheckJob, shown = 5): CheckOutcome {
  if (job.state === 'running') return { kind: 'running', text: 'Checking every file against its checksum…' };
  if (job.state !== 'done' || !job.result)
    return {
      kind: 'failed',
      text: `Check failed: ${job.error?.message ?? 'the job was interrupted'}${job.error?.detail ? ` (${job.error.detail})` : ''}`,
    };
  const r = job.result as BackupCheckResult;
  if (r.ok) return { kind: 'ok', text: `✓ OK: ${r.files} file(s) match their checksums` };
  const files = r.problems.slice(0, shown);
  const more = r.problemCount - files.length;
  return {
    kind: 'damaged',
    text: `✕ damaged: ${r.problemCount} problem(s)${more > 0 ? ` (first ${files.length} shown)` : ''}`,
    files,
  };
}
