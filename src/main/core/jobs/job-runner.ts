import { randomUUID } from 'node:crypto';
import { KintsugiError, toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import type { JobEvent, JobRequest, JobStatus, JobType } from '../../../shared/jobs';
import type { Progress } from '../../../shared/progress';
import type { JobContext } from './context';
import type { JobExecutor } from './executor';
import { parseJobRequest } from './request';
import { throttle } from './throttle';

// Owns the life of every job in one process (main or the CLI): ids, cancel, status, and the event stream.
// Progress is throttled per job (<= 10/s by default) and the last progress is always flushed before the
// terminal 'done' / 'failed' event, so a listener never misses where a job ended.

export interface JobRunnerOptions {
  progressPerSecond?: number;
  now?: () => number;
  newId?: () => string;
  /** How many finished jobs status() still remembers. */
  keepFinished?: number;
}

interface JobRecord {
  jobId: string;
  jobType: JobType;
  controller: AbortController;
  state: 'running' | 'done' | 'failed';
  last?: Progress;
  result?: unknown;
  error?: ErrorPayload;
  finished: Promise<JobStatus>;
}

export type JobListener = (event: JobEvent) => void;

export class JobRunner {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly listeners = new Set<JobListener>();
  private readonly opts: Required<Omit<JobRunnerOptions, 'now'>> & { now?: () => number };

  constructor(opts: JobRunnerOptions = {}) {
    this.opts = {
      progressPerSecond: opts.progressPerSecond ?? 10,
      newId: opts.newId ?? (() => randomUUID()),
      keepFinished: opts.keepFinished ?? 100,
      now: opts.now,
    };
  }

  /** Validates the request (INVALID_ARGUMENT thrown synchronously) and starts it; returns the job id at once. */
  start(req: JobRequest, executor: JobExecutor): string {
    const parsed = parseJobRequest(req);
    const jobId = this.opts.newId();
    const controller = new AbortController();
    const progress = throttle<Progress>(
      (p) => this.emit({ jobId, type: 'progress', progress: p }),
      this.opts.progressPerSecond,
      this.opts.now,
    );
    let open = true;
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (p) => {
        if (!open) return;
        record.last = p;
        progress.push(p);
      },
      log: (message) => {
        if (open) this.emit({ jobId, type: 'log', message });
      },
    };
    const record: JobRecord = {
      jobId,
      jobType: parsed.type,
      controller,
      state: 'running',
      finished: undefined as unknown as Promise<JobStatus>,
    };
    this.jobs.set(jobId, record);

    // Deferred a tick so the caller gets the id (and can subscribe) before the first event.
    record.finished = Promise.resolve()
      .then(() => executor.run(parsed as JobRequest, ctx))
      .then(
        (result) => {
          open = false;
          progress.flush();
          record.state = 'done';
          record.result = result;
          this.emit({ jobId, type: 'done', result });
        },
        (err: unknown) => {
          open = false;
          progress.flush();
          let error = toErrorPayload(err);
          // After a cancel request whatever the job died of, the user asked it to stop: report that.
          if (controller.signal.aborted && error.code !== 'CANCELLED') {
            error = { ...new KintsugiError('CANCELLED', `stopped while: ${error.message}`).toPayload() };
          }
          record.state = 'failed';
          record.error = error;
          this.emit({ jobId, type: 'failed', error });
        },
      )
      .then(() => {
        this.prune();
        return this.status(jobId)!;
      });
    return jobId;
  }

  /** Asks a running job to stop; true when the job was running. The terminal event follows as 'failed'/CANCELLED. */
  cancel(jobId: string): boolean {
    const rec = this.jobs.get(jobId);
    if (!rec || rec.state !== 'running') return false;
    rec.controller.abort(new KintsugiError('CANCELLED'));
    return true;
  }

  /** Cancels every running job (shutdown, parent gone) and waits for them to settle. */
  async cancelAll(): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.state === 'running');
    for (const j of running) j.controller.abort(new KintsugiError('CANCELLED'));
    await Promise.all(running.map((j) => j.finished));
  }

  status(jobId: string): JobStatus | null {
    const rec = this.jobs.get(jobId);
    if (!rec) return null;
    const base = { jobId, jobType: rec.jobType };
    if (rec.state === 'done') return { ...base, state: 'done', result: rec.result };
    if (rec.state === 'failed') return { ...base, state: 'failed', error: rec.error! };
    return rec.last ? { ...base, state: 'running', last: rec.last } : { ...base, state: 'running' };
  }

  /** Resolves with the final status once the job has finished (never rejects). */
  wait(jobId: string): Promise<JobStatus> {
    const rec = this.jobs.get(jobId);
    if (!rec) return Promise.reject(new KintsugiError('INVALID_ARGUMENT', `unknown job id: ${jobId}`));
    return rec.finished;
  }

  running(): string[] {
    return [...this.jobs.values()].filter((j) => j.state === 'running').map((j) => j.jobId);
  }

  onEvent(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: JobEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken listener (a closed window, a dead pipe) must not take the job down with it.
      }
    }
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - this.opts.keepFinished)))
      this.jobs.delete(j.jobId);
  }
}
