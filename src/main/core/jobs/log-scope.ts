import { AsyncLocalStorage } from 'node:async_hooks';

// The job a piece of core runs for, without threading a context through every helper: the runner enters the
// scope, and util/run-tool writes each tool's stderr into that job's log from wherever it is called.

const scope = new AsyncLocalStorage<(line: string) => void>();

export function withJobLog<T>(log: (line: string) => void, fn: () => T): T {
  return scope.run(log, fn);
}

/** Writes to the current job's log; outside a job, nothing. */
export function jobLog(line: string): void {
  scope.getStore()?.(line);
}
