import type { JobEntry } from './store';

/** "1 running · 2 failed · 5 finished": the job list at a glance. */
export function jobsSummary(jobs: Record<string, JobEntry>): string {
  const count = { running: 0, failed: 0, interrupted: 0, done: 0 };
  for (const j of Object.values(jobs)) count[j.state]++;
  const parts = [
    count.running && `${count.running} running`,
    count.interrupted && `${count.interrupted} interrupted`,
    count.failed && `${count.failed} failed`,
    count.done && `${count.done} finished`,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'No jobs yet.';
}
