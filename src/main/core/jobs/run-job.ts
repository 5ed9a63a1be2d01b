import { KintsugiError } from '../../../shared/errors';
import {
  domainOfJob,
  type DomainWithJobs,
  type JobRequest,
  type JobResult,
  type JobType,
  type JobTypeOf,
} from '../../../shared/registry';
import type { JobContext } from './context';
import type { JobExecutor } from './executor';
import { parseJobRequest } from './request';
import type { JobEnv, JobRunFn, RunnersFor } from './runner-types';

// The one dispatch table from a job request to core, composed from each domain's runners: a domain that declares
// jobs in src/shared without its runners here, or runners missing one of its jobs, is a type error. Main, the
// utility process, the helper and the CLI all come through here, and every request is parsed again first: a
// caller cannot hand core a value the schema would refuse, whatever process it sits in.
// Each domain's runners are loaded on its first job (a dynamic import, so the bundler splits them): a process
// pays for the domains it runs, not for all of core (`kintsugi os check` never loads flash, backup or models).

type RunnerLoaders = { [D in DomainWithJobs]: () => Promise<RunnersFor<JobTypeOf<D>>> };

const RUNNERS: RunnerLoaders = {
  image: async () => (await import('../image/jobs')).imageRunners,
  flash: async () => (await import('../flash/jobs')).flashRunners,
  backup: async () => (await import('../backup/jobs')).backupRunners,
  frameworks: async () => (await import('../frameworks/jobs')).frameworkRunners,
  repo: async () => (await import('../repo/jobs')).repoRunners,
  schedule: async () => (await import('../schedule/jobs')).scheduleRunners,
  models: async () => (await import('../models/jobs')).modelRunners,
  os: async () => (await import('../os/jobs')).osRunners,
  kernel: async () => (await import('../kernel/jobs')).kernelRunners,
};

export async function runJob(req: JobRequest, ctx: JobContext, env: JobEnv = {}): Promise<unknown> {
  const job = parseJobRequest(req);
  if (ctx.signal.aborted) throw new KintsugiError('CANCELLED');
  const runners = (await RUNNERS[domainOfJob(job.type)]()) as Record<JobType, JobRunFn<JobType>>;
  return runners[job.type](job.params as never, ctx, env);
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
