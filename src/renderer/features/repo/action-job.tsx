import { useStore } from '../../app/store';
import { JobProgress } from '../../shared/components/job-progress';
import type { JobEntry } from '../jobs/store';

/** A repo action's job beside its button: progress with Cancel while it runs, the error with Retry when it failed.
 * A finished job shows nothing here: the section shows what changed. */
export function ActionJob(props: { job: JobEntry | undefined; title: string; onRetry(): void }) {
  if (!props.job) return null;
  const job = props.job;
  return (
    <JobProgress
      job={job}
      title={props.title}
      onCancel={() => void useStore.getState().cancelJob(job.id)}
      onRetry={props.onRetry}
    />
  );
}
