import { KintsugiError } from '../../shared/errors';
import type { DomainApi } from '../../shared/ipc/define';
import type { JobRecord } from '../../shared/jobs/record';
import type { Domains } from '../../shared/registry';
import type { HandlerDeps } from './deps';

// The job service as the pages see it: what runs now (live, from the runner) merged over what the journal on
// disk remembers (finished and interrupted jobs).
export function jobsHandlers({ runner, journalRecords }: HandlerDeps): DomainApi<Domains['jobs']> {
  // A record the journal still shows running but this process does not run died with an earlier process (the
  // journal marks it so at start-up; until then, say so here too).
  const settled = (r: JobRecord): JobRecord =>
    r.state === 'running' && !runner.status(r.id) ? { ...r, state: 'interrupted' } : r;
  const find = async (jobId: string): Promise<JobRecord | null> => {
    const live = runner.status(jobId);
    if (live) return live;
    const stored = (await journalRecords()).find((r) => r.id === jobId);
    return stored ? settled(stored) : null;
  };
  return {
    async list() {
      const live = new Map(runner.running().map((r) => [r.id, r]));
      const onDisk = (await journalRecords()).filter((r) => !live.has(r.id)).map(settled);
      return [...live.values(), ...onDisk].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
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
