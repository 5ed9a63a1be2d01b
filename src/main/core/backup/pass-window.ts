import type { ChecksumPassResult } from './checksum-pass';

// What the two checksum passes (checksum-pass.ts: every file; listed-pass.ts: an incremental backup's plan)
// share: their counts at the start, and the window that keeps reads overlapping on the pool while outcomes are
// handled (counted, written to the index) in the order the index needs.

/** Files read at once on the pool (their reads overlap; the index is still written in order). */
export const PASS_WINDOW = 32;

export function emptyPassResult(): ChecksumPassResult {
  return {
    index: { sha256: '', entries: 0, bytes: 0 },
    hashedFiles: 0,
    hashedBytes: 0,
    inheritedFiles: 0,
    inheritedBytes: 0,
    linkedBytes: 0,
    newBytes: 0,
    mismatches: [],
    mismatchCount: 0,
    staleLinks: [],
    nameProblems: [],
    nameProblemCount: 0,
    racyFiles: 0,
  };
}

/**
 * Outcomes handed to `handle` in the order they were added, with up to PASS_WINDOW of them still being worked out
 * (promises); an outcome known at once (no promise: an inherited file) is handled as soon as nothing is ahead
 * of it, without a turn of the event loop. `clear` drops what is left after a failure (each promise already has
 * a handler: add gives it one).
 */
export function inOrder<T>(handle: (outcome: T) => Promise<void> | undefined) {
  const window: (T | Promise<T>)[] = [];
  const drain = async (upTo: number) => {
    while (window.length > upTo || (window.length > 0 && !(window[0] instanceof Promise))) {
      const head = window.shift()!;
      const w = handle(head instanceof Promise ? await head : head);
      if (w) await w;
    }
  };
  return {
    async add(outcome: T | Promise<T>): Promise<void> {
      if (outcome instanceof Promise)
        outcome.catch(() => undefined); // awaited in turn; handled if the pass fails first
      else if (window.length === 0) {
        const w = handle(outcome);
        if (w) await w;
        return;
      }
      window.push(outcome);
      await drain(PASS_WINDOW - 1);
    },
    finish: () => drain(0),
    clear() {
      window.length = 0;
    },
  };
}
