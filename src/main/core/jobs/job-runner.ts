import { KintsugiError, toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import type { JobRecord } from '../../../shared/jobs/record';
import { JOBS, type JobEvent, type JobRequest, type JobType } from '../../../shared/registry';
import type { Progress } from '../../../shared/progress';
import type { JobContext } from './context';
import type { JobExecutor } from './executor';
import { newJobId } from './job-id';
import type { JobJournal } from './journal';
import { withJobLog } from './log-scope';
import { parseJobRequest } from './request';
import { throttle } from './throttle';

// Owns the life of every job in one process: ids, cancel, status, the event stream and, when given a journal,
// the record and log file of each job on disk. In the app this is main's job service (jobs outlive the window:
// the tray, flows and any page subscribe); the helper and the utility process run one without a journal and
// relay events to main. Progress is throttled here, per job (<= 10 events/s, each phase's first and last value
// always delivered) and the last progress is flushed before the terminal 'done' / 'failed' event, so a listener
// never misses where a job ended. Core producers therefore do not throttle themselves.

export interface JobRunnerOptions {
  progressPerSecond?: number;
  now?: () => number;
  newId?: () => string;
  /** How many finished jobs status() still remembers in memory (the journal keeps more on disk). */
  keepFinished?: number;
  journal?: JobJournal;
}

export interface StartOptions {
  /** The flow that started the job (e.g. "reflash"), kept in its record. */
  flow?: string;
}

interface LiveJob {
  record: JobRecord;
  controller: AbortController;
  finished: Promise<JobRecord>;
}

export type JobListener = (event: JobEvent) => void;

export class JobRunner {
  private readonly jobs = new Map<string, LiveJob>();
  private readonly listeners = new Set<JobListener>();
  private readonly progressPerSecond: number;
  private readonly newId: () => string;
  private readonly keepFinished: number;

  constructor(private readonly opts: JobRunnerOptions = {}) {
    this.progressPerSecond = opts.progressPerSecond ?? 10;
    this.newId = opts.newId ?? (() => newJobId());
    this.keepFinished = opts.keepFinished ?? 100;
  }

  get journal(): JobJournal | undefined {
    return this.opts.journal;
  }

  /** Validates the request (INVALID_ARGUMENT thrown synchronously) and starts it; returns the job id at once. */
  start(req: JobRequest, executor: JobExecutor, options: StartOptions = {}): string {
    const parsed = parseJobRequest(req);
    const jobId = this.newId();
    const type = parsed.type as JobType;
    const controller = new AbortController();
    const journal = this.opts.journal;
    const emit = (body: DistributiveOmit<JobEvent, 'jobId' | 'jobType'>) =>
      this.emit({ jobId, jobType: type, ...body } as JobEvent);
    const record: JobRecord = {
      id: jobId,
      type,
      title: JOBS[type].title,
      host: JOBS[type].host,
      params: parsed.params,
      state: 'running',
      startedAt: new Date().toISOString(),
      ...(options.flow ? { flow: options.flow } : {}),
    };
    let open = true;
    // The one throttle every job's progress goes through: producers in core report as often as they like.
    const progress = throttle<Progress>((p) => emit({ type: 'progress', progress: p }), {
      perSecond: this.progressPerSecond,
      now: this.opts.now,
      keyOf: (p) => `${p.kind}:${p.phase}`,
    });
    // The record on disk follows progress at most once a second: enough to say where a crash stopped a job.
    const persistProgress = throttle<Progress>(() => void journal?.write(record).catch(() => undefined), {
      perSecond: 1,
      now: this.opts.now,
    });
    const log = (message: string, level?: 'detail') => {
      if (!open) return;
      void journal?.log(jobId, message);
      emit({ type: 'log', message, ...(level === 'detail' ? { detail: true as const } : {}) });
    };
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (p) => {
        if (!open) return;
        record.last = p;
        progress.push(p);
        persistProgress.push(p);
      },
      log,
    };
    const live: LiveJob = { record, controller, finished: undefined as unknown as Promise<JobRecord> };
    this.jobs.set(jobId, live);

    // Deferred a tick so the caller gets the id (and can subscribe) before the first event. The record is on
    // disk before the job does anything: a crash from then on leaves it listed as interrupted.
    live.finished = Promise.resolve()
      .then(async () => {
        if (journal) {
          await journal.write(record).catch(() => undefined);
          await journal.log(
            jobId,
            `Started ${record.title} (${type})${options.flow ? ` for ${options.flow}` : ''}`,
          );
        }
        emit({ type: 'started', title: record.title, ...(options.flow ? { flow: options.flow } : {}) });
        // Cancelled before it began: never hand an executor a job that is already over.
        if (controller.signal.aborted) throw new KintsugiError('CANCELLED', 'cancelled before it started');
        return withJobLog(
          (line) => log(line, 'detail'),
          () => executor.run(parsed as JobRequest, ctx),
        );
      })
      .then(
        async (result) => {
          open = false;
          progress.flush();
          Object.assign(record, { state: 'done', result, endedAt: new Date().toISOString() });
          await this.settle(record, 'Done');
          emit({ type: 'done', result } as never);
        },
        async (err: unknown) => {
          open = false;
          progress.flush();
          let error: ErrorPayload = toErrorPayload(err);
          // After a cancel request whatever the job died of, the user asked it to stop: report that.
          if (controller.signal.aborted && error.code !== 'CANCELLED') {
            error = new KintsugiError('CANCELLED', `stopped while: ${error.message}`, {
              cause: err,
            }).toPayload();
          }
          Object.assign(record, { state: 'failed', error, endedAt: new Date().toISOString() });
          const stack = err instanceof Error ? err.stack : undefined;
          await this.settle(record, `Failed: ${error.code}: ${error.detail ?? error.message}`, stack);
          emit({ type: 'failed', error });
        },
      )
      .then(() => {
        this.prune();
        return { ...record };
      });
    return jobId;
  }

  /** Asks a running job to stop; true when the job was running. The terminal event follows as 'failed'/CANCELLED. */
  cancel(jobId: string): boolean {
    const live = this.jobs.get(jobId);
    if (!live || live.record.state !== 'running') return false;
    live.controller.abort(new KintsugiError('CANCELLED'));
    void this.opts.journal?.log(jobId, 'Cancel requested');
    return true;
  }

  /** Cancels every running job (shutdown, parent gone) and waits for them to settle. */
  async cancelAll(): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.record.state === 'running');
    for (const j of running) j.controller.abort(new KintsugiError('CANCELLED'));
    await Promise.all(running.map((j) => j.finished));
  }

  /** The live record of a job this process runs or ran recently; null when it does not know the id. */
  status(jobId: string): JobRecord | null {
    const live = this.jobs.get(jobId);
    return live ? { ...live.record } : null;
  }

  /** Resolves with the final record once the job has finished (never rejects). */
  wait(jobId: string): Promise<JobRecord> {
    const live = this.jobs.get(jobId);
    if (!live) return Promise.reject(new KintsugiError('JOB_NOT_FOUND', `unknown job id: ${jobId}`));
    return live.finished;
  }

  running(): JobRecord[] {
    return [...this.jobs.values()].filter((j) => j.record.state === 'running').map((j) => ({ ...j.record }));
  }

  onEvent(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes the end of a job to its record and log. A journal that cannot be written (disk full, folder gone)
   * must not turn a finished job into a crash: the event still goes out. */
  private async settle(record: JobRecord, line: string, stack?: string): Promise<void> {
    const journal = this.opts.journal;
    if (!journal) return;
    await this.writeEnd(journal, record, line, stack).catch(() => undefined);
  }

  private async writeEnd(
    journal: JobJournal,
    record: JobRecord,
    line: string,
    stack?: string,
  ): Promise<void> {
    const causes = record.error?.causes;
    await journal.log(
      record.id,
      causes?.length ? `${line}\n  caused by: ${causes.join('\n  caused by: ')}` : line,
    );
    if (stack) await journal.log(record.id, stack);
    await journal.write({ ...record, ...(stack ? { stack } : {}) });
    await journal.flush(record.id);
    void journal.prune();
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
    const finished = [...this.jobs.values()].filter((j) => j.record.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - this.keepFinished)))
      this.jobs.delete(j.record.id);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
