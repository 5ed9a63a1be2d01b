import type { JobHost } from '../../../shared/ipc/define';
import { hostOf, type JobRequest } from '../../../shared/registry';
import type { JobContext } from './context';

/**
 * Who actually runs a job. The runner does not care: the in-process executor calls core directly, the host
 * clients (utility process, privileged helper) forward the request and relay its events into the same context.
 * Resolve with the job's result; reject with a KintsugiError (or an ErrorPayload-shaped value).
 */
export interface JobExecutor {
  run(req: JobRequest, ctx: JobContext): Promise<unknown>;
}

/** Sends each job to the executor of the host its declaration names (src/shared/<domain>/contract.ts). */
export function hostRoutingExecutor(hosts: Record<JobHost, JobExecutor>): JobExecutor {
  return { run: (req, ctx) => hosts[hostOf(req.type)].run(req, ctx) };
}
