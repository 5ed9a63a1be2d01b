import { KintsugiError } from '../../../shared/errors';
import type { JobRequest, JobResults, JobType } from '../../../shared/jobs';
import { runBackup } from '../backup/backup';
import { runRestore } from '../backup/restore';
import { flashDrive } from '../flash/flash';
import { verifyDrive } from '../flash/verify';
import { checkImage } from '../image/check';
import { findPersistence } from '../persistence/find';
import type { JobContext } from './context';
import type { JobExecutor } from './executor';
import { parseJobRequest } from './request';

// The one dispatch table from a job request to core. Main (unprivileged jobs), the helper (privileged ones) and
// the CLI all come through here, and every request is parsed again first: a caller cannot hand core a value the
// schema would refuse, whatever process it sits in.

export interface RunJobOptions {
  /** Where downloaded images are cached (image-check with an http(s) source). */
  cacheDir?: string;
}

export async function runJob(req: JobRequest, ctx: JobContext, opts: RunJobOptions = {}): Promise<unknown> {
  const job = parseJobRequest(req);
  if (ctx.signal.aborted) throw new KintsugiError('CANCELLED');
  switch (job.type) {
    case 'image-check':
      return checkImage(job.params, ctx, { cacheDir: opts.cacheDir });
    case 'flash':
      return flashDrive(job.params, ctx);
    case 'verify-drive':
      return verifyDrive(job.params, ctx);
    case 'backup':
      return runBackup(job.params, ctx);
    case 'restore':
      return runRestore(job.params, ctx);
    case 'find-persistence':
      return findPersistence(job.params.container, { includeLoop: job.params.includeLoop });
    default: {
      const never: never = job;
      throw new KintsugiError('INVALID_ARGUMENT', `unknown job type: ${(never as { type: string }).type}`);
    }
  }
}

/** Typed convenience for callers that know the job type (the CLI, reflash). */
export async function runTypedJob<T extends JobType>(
  executor: JobExecutor,
  req: Extract<JobRequest, { type: T }>,
  ctx: JobContext,
): Promise<JobResults[T]> {
  return (await executor.run(req, ctx)) as JobResults[T];
}

/** Runs jobs in this process, straight into core. */
export function inProcessExecutor(opts: RunJobOptions = {}): JobExecutor {
  return { run: (req, ctx) => runJob(req, ctx, opts) };
}
