import { fromErrorPayload } from '../../shared/errors';
import type { JobRequest } from '../../shared/registry';
import type { JobExecutor } from '../core/jobs/executor';
import type { JobRunner } from '../core/jobs/job-runner';
import type { ProgressView } from './progress-view';

// Runs jobs with Ctrl-C wired to cancel and events shown through a ProgressView, on the CLI's journaled runner
// (so `kintsugi jobs` lists them and keeps their logs).

/** Shows every event of the runner's jobs and cancels the running ones on Ctrl-C, until the returned stop(). */
export function attachView(runner: JobRunner, signal: AbortSignal, view: ProgressView): () => void {
  const off = runner.onEvent((e) => view.event(e));
  const onAbort = () => {
    for (const r of runner.running()) runner.cancel(r.id);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  return () => {
    signal.removeEventListener('abort', onAbort);
    off();
    view.end();
  };
}

/** One job, start to end; its error is thrown. */
export async function runJobWithView(
  req: JobRequest,
  runner: JobRunner,
  executor: JobExecutor,
  signal: AbortSignal,
  view: ProgressView,
): Promise<unknown> {
  const stop = attachView(runner, signal, view);
  try {
    const jobId = runner.start(req, executor);
    if (signal.aborted) runner.cancel(jobId);
    const final = await runner.wait(jobId);
    if (final.state === 'failed' && final.error) throw fromErrorPayload(final.error);
    return final.result;
  } finally {
    stop();
  }
}
