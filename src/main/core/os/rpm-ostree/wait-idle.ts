import { setTimeout as delay } from 'node:timers/promises';
import { KintsugiError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/context';
import { readStatus } from './read-status';
import type { RpmOstreeStatus } from './status-json';

// rpm-ostree's daemon runs one transaction at a time and refuses a second ("Transaction in progress"); the
// automatic update timer or a person at a terminal may hold it. We wait for it to end instead of failing: poll
// `status --json` until its `transaction` is null, reporting phase 'wait', for at most maxWaitMs, cancellable.

export interface WaitOptions {
  /** Between two polls. Default 2 s. */
  pollMs?: number;
  /** Give up (OS_TRANSACTION_ACTIVE) after this long. Default 30 min: an upgrade of a whole image can take that. */
  maxWaitMs?: number;
  sysrootArgs?: readonly string[];
}

export async function waitIdle(ctx: JobContext, opts: WaitOptions = {}): Promise<RpmOstreeStatus> {
  const pollMs = opts.pollMs ?? 2000;
  const maxWaitMs = opts.maxWaitMs ?? 30 * 60_000;
  const started = Date.now();
  for (;;) {
    const s = await readStatus(ctx.signal, opts.sysrootArgs);
    if (!s.transaction) return s;
    const [title, initiator] = s.transaction;
    const waited = Date.now() - started;
    if (waited >= maxWaitMs)
      throw new KintsugiError(
        'OS_TRANSACTION_ACTIVE',
        `rpm-ostree is still running ${title} (started by ${initiator}) after ${Math.round(waited / 1000)} s of waiting`,
      );
    ctx.progress({
      kind: 'os',
      phase: 'wait',
      message: `waiting for rpm-ostree to finish ${title} (started by ${initiator})`,
    });
    try {
      await delay(pollMs, undefined, { signal: ctx.signal });
    } catch {
      throw new KintsugiError('CANCELLED', `stopped waiting for rpm-ostree's ${title}`);
    }
  }
}
