import { KintsugiError } from '../../shared/errors';
import type { DomainApi } from '../../shared/ipc/define';
import type { JobRecord } from '../../shared/jobs/record';
import type { Domains } from '../../shared/registry';
import type { HandlerDeps } from './deps';

// The job service as the pages see it: what runs now (live, from the runner) merged over what the journal on
// disk remembers (finished and interrupted jobs).
export function jobsHandlers({ runner, journalRecords }: HandlerDeps): DomainApi<Domains['jobs']> {
  const find = async (jobId: string): Promise<JobRecord | null> =>
    runner.status(jobId) ?? (await journalRecords()).find((r) => r.id === jobId) ?? null;
  return {
    async list() {
      const live = new Map(runner.running().map((r) => [r.id, r]));
      const onDisk = (await journalRecords()).filter((r) => !live.has(r.id));
      // A record the journal still shows running but this process does not run died with an earlier process.
      const fixed = onDisk.map((r) =>
        r.state === 'running' && !runner.status(r.id) ? { ...r, state: 'interrupted' as const } : r,
      );
      return [...live.values(), ...fixed].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
    get: ({ jobId }) => find(jobId),
    async cancel({ jobId }) {
      if (!(await find(jobId))) throw new KintsugiError('JOB_NOT_FOUND', `no job ${jobId}`);
      return { cancelled: runner.cancel(jobId) };
    },
    async log({ jobId }) {
      if (!(await find(jobId))) throw new KintsugiError('JOB_NOT_FOUND', `no job ${jobId}`);
      return (await runner.journal?.tail(jobId)) ?? { text: '', truncated: false };
    },
  };
}
