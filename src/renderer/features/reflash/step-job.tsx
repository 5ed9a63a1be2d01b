import { JobProgress } from '../../shared/components/job-progress';
import { leftBehind } from '../jobs/left-behind';
import type { JobEntry } from '../jobs/store';
import { cancelJob } from './use-step-job';

/** A step's job, the same on every step: progress with Cancel, or how it ended with Retry, and after a crash
 * what the interrupted job may have left. */
export function StepJob(props: { job: JobEntry; title: string; onRetry(): void; retryDisabled?: boolean }) {
  const { job } = props;
  return (
    <JobProgress
      job={job}
      title={props.title}
      onCancel={() => cancelJob(job)}
      onRetry={props.onRetry}
      retryDisabled={props.retryDisabled}
      left={job.state === 'interrupted' ? leftBehind(job) : undefined}
    />
  );
}
