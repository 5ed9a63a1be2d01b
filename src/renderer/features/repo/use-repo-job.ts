import { useStore } from '../../app/store';
import type { JobEntry } from '../jobs/store';
import type { RepoAction } from './store';

/** The job ACTION last started from this page in this session, as the jobs slice knows it now. */
export function useRepoJob(action: RepoAction): JobEntry | undefined {
  return useStore((s) => {
    const id = s.repoJobs[action];
    return id ? s.jobs[id] : undefined;
  });
}

/** Whether any repo job of this page is still running: the clone is busy, other actions wait. */
export function useRepoBusy(): boolean {
  return useStore((s) => Object.values(s.repoJobs).some((id) => id && s.jobs[id]?.state === 'running'));
}
