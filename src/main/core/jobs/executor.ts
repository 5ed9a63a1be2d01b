import type { JobRequest } from '../../../shared/jobs';
import type { JobContext } from './context';

/**
 * Who actually runs a job. The JobRunner does not care: the in-process executor calls core directly, the
 * helper client forwards the request to the privileged helper and relays its events into the same context.
 * Resolve with the job's result; reject with a KintsugiError (or an ErrorPayload-shaped value).
 */
export interface JobExecutor {
  run(req: JobRequest, ctx: JobContext): Promise<unknown>;
}

/**
 * Sends privileged jobs (PRIVILEGED_JOBS) to one executor (the helper client) and the rest to another (in-process).
 * Main's executorFor and the reflash wizard use it so that image checks never need root.
 */
export function routingExecutor(
  unprivileged: JobExecutor,
  privileged: JobExecutor,
  isPrivileged: (t: JobRequest['type']) => boolean,
): JobExecutor {
  return { run: (req, ctx) => (isPrivileged(req.type) ? privileged : unprivileged).run(req, ctx) };
}
