import { KintsugiError } from '../../../shared/errors';
import type { JobRequest, JobResult, JobType } from '../../../shared/registry';
import { backupRunners } from '../backup/jobs';
import { flashRunners } from '../flash/jobs';
import { frameworkRunners } from '../frameworks/jobs';
import { imageRunners } from '../image/jobs';
import { modelRunners } from '../models/jobs';
import { osRunners } from '../os/jobs';
import { repoRunners } from '../repo/jobs';
import { scheduleRunners } from '../schedule/jobs';
import type { JobContext } from './context';
import type { JobExecutor } from './executor';
import { parseJobRequest } from './request';
import type { JobEnv, JobRunFn, RunnersFor } from './runner-types';

// The one dispatch table from a job request to core, composed from each domain's runners: a job declared in
// src/shared without a runner here is a type error. Main, the utility process, the helper and the CLI all come
// through here, and every request is parsed again first: a caller cannot hand core a value the schema would
// refuse, whatever process it sits in.

const RUNNERS: RunnersFor<JobType> = {
  ...imageRunners,
  ...flashRunners,
  ...backupRunners,
  ...frameworkRunners,
  ...repoRunners,
  ...scheduleRunners,
  ...modelRunners,
  ...osRunners,
};

export async function runJob(req: JobRequest, ctx: JobContext, env: JobEnv = {}): Promise<unknown> {
  const job = parseJobRequest(req);
  if (ctx.signal.aborted) throw new KintsugiError('CANCELLED');
  const run = RUNNERS[job.type] as JobRunFn<JobType>;
  return run(job.params as never, ctx, env);
}

/** Typed convenience for callers that know the job type (the CLI, flows). */
export async function runTypedJob<T extends JobType>(
  executor: JobExecutor,
  req: Extract<JobRequest, { type: T }>,
  ctx: JobContext,
): Promise<JobResult<T>> {
  return (await executor.run(req, ctx)) as JobResult<T>;
}

/** Runs jobs in this process, straight into core. */
export function inProcessExecutor(env: JobEnv = {}): JobExecutor {
  return { run: (req, ctx) => runJob(req, ctx, env) };
}
