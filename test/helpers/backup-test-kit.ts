import { expect } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { JobContext } from '../../src/main/core/jobs/context';

// What the backup suites share: a job context that keeps its log lines, and the KintsugiError a promise fails with.

export function loggingContext(): JobContext & { logs: string[] } {
  const logs: string[] = [];
  return { signal: new AbortController().signal, progress: () => {}, log: (m) => logs.push(m), logs };
}

/** The KintsugiError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<KintsugiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KintsugiError);
  return err as KintsugiError;
}
