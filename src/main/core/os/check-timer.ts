import type { Settings } from '../../../shared/app/settings';
import { decideOsCheck, sleepFor, type ScheduleDecision } from './check-schedule';
import type { OsStateStore } from './state-store';

// The background OS check's loop: decide (check-schedule.ts, pure), act, sleep, decide again. Everything it
// touches is injected (clock, timers, network, the check itself), so a test drives it on a fake clock; main
// (background-check.ts) gives it the real ones. One check at a time, whatever the timers do.

export interface OsCheckTimerDeps {
  now(): Date;
  store: OsStateStore;
  settings(): Promise<Pick<Settings, 'osCheckIntervalHours' | 'osCheckOnMetered' | 'metered'>>;
  /** Whether the network is metered now (core/network/metered.ts networkState with the setting). */
  metered(setting: Settings['metered']): Promise<boolean>;
  /** Runs one background check to its end; its outcome is recorded by whoever runs it. */
  runCheck(): Promise<void>;
  /** setTimeout by default; returns a cancel function. */
  sleep?(ms: number, then: () => void): () => void;
  /** Each decision, for the log (and the tests). */
  onDecision?(d: ScheduleDecision): void;
}

export interface OsCheckTimer {
  /** Decide and act now (the first call is the check at start). */
  tick(): Promise<void>;
  stop(): void;
}

const realSleep = (ms: number, then: () => void) => {
  const t = setTimeout(then, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

export function startOsCheckTimer(deps: OsCheckTimerDeps): OsCheckTimer {
  const sleep = deps.sleep ?? realSleep;
  let cancel: (() => void) | undefined;
  let stopped = false;
  let busy: Promise<void> | undefined;

  async function decide(): Promise<ScheduleDecision> {
    const [record, s] = await Promise.all([deps.store.load(), deps.settings()]);
    const onMetered = s.osCheckOnMetered ?? false;
    const inputs = {
      now: deps.now(),
      ...(s.osCheckIntervalHours !== undefined ? { intervalHours: s.osCheckIntervalHours } : {}),
      ...(record.lastAttemptAt ? { lastAttemptAt: record.lastAttemptAt } : {}),
      ...(record.lastCheck ? { lastCheckAt: record.lastCheck.at } : {}),
      onMetered,
    };
    // The network is asked only when a check is due (nmcli is not free, and not worth running hourly for nothing).
    const first = decideOsCheck({ ...inputs, metered: false });
    if (first.action !== 'check' || onMetered) return first;
    const metered = await deps.metered(s.metered ?? 'auto').catch(() => false);
    return decideOsCheck({ ...inputs, metered });
  }

  async function once(): Promise<void> {
    let d = await decide();
    deps.onDecision?.(d);
    if (d.action === 'check') {
      const at = deps.now().toISOString();
      await deps.store.update((r) => ({ ...r, lastAttemptAt: at }));
      await deps.runCheck().catch(() => undefined); // recorded by the runner's recorder; the loop goes on
      d = await decide();
    }
    if (stopped) return;
    cancel?.();
    cancel = sleep(sleepFor(d, deps.now()), () => void tick());
  }

  function tick(): Promise<void> {
    busy ??= once().finally(() => (busy = undefined));
    return busy;
  }

  return {
    tick,
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
