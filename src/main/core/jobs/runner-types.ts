import type { JobParams, JobResult, JobType } from '../../../shared/registry';
import type { JobContext } from './context';

// What a domain's jobs.ts provides for each job it declares: the function that runs it, given its parsed params.

export interface JobEnv {
  /** Where downloaded images are cached (image-check with an http(s) source). */
  cacheDir?: string;
}

export type JobRunFn<T extends JobType> = (
  params: JobParams<T>,
  ctx: JobContext,
  env: JobEnv,
) => Promise<JobResult<T>>;

export type RunnersFor<T extends JobType> = { [K in T]: JobRunFn<K> };
