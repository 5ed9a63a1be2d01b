import type { Progress } from '../../../shared/progress';

/** What every long-running core operation receives: a cancel signal, a progress sink and a log sink. */
export interface JobContext {
  signal: AbortSignal;
  progress(p: Progress): void;
  /** 'detail' lines (a tool's stderr, say) go to the job's log file; views show only the plain ones. */
  log(message: string, level?: 'detail'): void;
}

/** A context that discards events: for callers (tests, small CLI calls) that do not report progress. */
export function quietContext(signal: AbortSignal = new AbortController().signal): JobContext {
  return { signal, progress: () => {}, log: () => {} };
}
