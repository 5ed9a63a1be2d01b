import type { ReflashStep } from '../../../shared/progress';
import { useStore } from '../../app/store';
import type { JobEntry } from '../jobs/store';
import { stepOfJob } from './flow';

/** The job a step shows: the flow's active job when it belongs to this step, else the one this step last started
 * in this session (so a failure stays on screen with its Retry after main cleared the active job). */
export function useStepJob(step: ReflashStep): JobEntry | undefined {
  return useStore((s) => {
    const active = s.reflash?.activeJob;
    const id =
      active && (stepOfJob(active.type) ?? s.reflash?.step) === step ? active.jobId : s.stepJobs[step];
    return id ? s.jobs[id] : undefined;
  });
}

/** Cancel for a step's job: main stops it; the 'failed' event (CANCELLED) then arrives like any other end. */
export const cancelJob = (job: JobEntry | undefined) => {
  if (job) void useStore.getState().cancelJob(job.id);
};
