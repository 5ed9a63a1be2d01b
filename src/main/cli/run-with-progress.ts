import { fromErrorPayload } from '../../shared/errors';
import type { JobRequest } from '../../shared/jobs';
import type { Progress } from '../../shared/progress';
import type { JobContext } from '../core/jobs/context';
import type { JobExecutor } from '../core/jobs/executor';
import { JobRunner } from '../core/jobs/job-runner';
import { throttle } from '../core/jobs/throttle';
import type { ProgressView } from './progress-view';

// Runs work with Ctrl-C wired to cancel and events shown through a ProgressView.

/** One job through the same JobRunner main uses (validation, throttling, final progress flushed). */
export async function runJobWithView(
  req: JobRequest,
  executor: JobExecutor,
  signal: AbortSignal,
  view: ProgressView,
): Promise<unknown> {
  const runner = new JobRunner();
  const off = runner.onEvent((e) => view.event(e));
  const jobId = runner.start(req, executor);
  const onAbort = () => runner.cancel(jobId);
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  try {
    const final = await runner.wait(jobId);
    if (final.state === 'failed') throw fromErrorPayload(final.error);
    return final.state === 'done' ? final.result : undefined;
  } finally {
    signal.removeEventListener('abort', onAbort);
    off();
    view.end();
  }
}

/** Work that is several jobs (reflash): a context of its own with the same <= 10/s progress throttle. */
export async function runTaskWithView<T>(
  name: string,
  signal: AbortSignal,
  view: ProgressView,
  body: (ctx: JobContext) => Promise<T>,
): Promise<T> {
  const progress = throttle<Progress>((p) => view.event({ jobId: name, type: 'progress', progress: p }));
  const ctx: JobContext = {
    signal,
    // Step headings are never throttled away: each one is shown.
    progress: (p) =>
      p.kind === 'step'
        ? (progress.flush(), view.event({ jobId: name, type: 'progress', progress: p }))
        : progress.push(p),
    log: (message) => view.event({ jobId: name, type: 'log', message }),
  };
  try {
    return await body(ctx);
  } finally {
    progress.flush();
    view.end();
  }
}
