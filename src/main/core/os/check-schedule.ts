import { OS_CHECK_INTERVAL_DEFAULT } from '../../../shared/app/settings';

// When the background OS check runs, as a pure function of the clock and what was recorded (tested with a fake
// clock): at start and then every `osCheckIntervalHours` (default 6); never twice in one interval, counting the
// person's own checks; on a metered network not at all unless the setting osCheckOnMetered says so, trying again
// a little later instead (the next network may be free) without using up the interval.

export const METERED_RETRY_MS = 30 * 60 * 1000;
/** Settings are read again at least this often, so a changed interval takes effect without a restart. */
export const MAX_SLEEP_MS = 60 * 60 * 1000;

export interface ScheduleInputs {
  now: Date;
  intervalHours?: number;
  /** The last background attempt's start (a check started, whatever its end). */
  lastAttemptAt?: string;
  /** The last check of anyone's (the person's "check now", the CLI's, a background one). */
  lastCheckAt?: string;
}

export type ScheduleDecision =
  { action: 'check' } | { action: 'skip-metered'; retryAt: Date } | { action: 'wait'; until: Date };

const HOUR_MS = 3600 * 1000;

const time = (iso: string | undefined): number | undefined => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};

/** When a background check is next due; `now` or earlier means due. A record from the future counts as now. */
export function nextCheckDue(i: ScheduleInputs): Date {
  const interval = (i.intervalHours ?? OS_CHECK_INTERVAL_DEFAULT) * HOUR_MS;
  const now = i.now.getTime();
  const last = Math.max(
    ...[time(i.lastAttemptAt), time(i.lastCheckAt)].map((t) =>
      t === undefined ? -Infinity : Math.min(t, now),
    ),
  );
  return new Date(last === -Infinity ? now : last + interval);
}

export function decideOsCheck(
  i: ScheduleInputs & { metered: boolean; onMetered: boolean },
): ScheduleDecision {
  const due = nextCheckDue(i);
  if (due.getTime() > i.now.getTime()) return { action: 'wait', until: due };
  if (i.metered && !i.onMetered)
    return { action: 'skip-metered', retryAt: new Date(i.now.getTime() + METERED_RETRY_MS) };
  return { action: 'check' };
}

/** How long to sleep before deciding again. */
export function sleepFor(d: ScheduleDecision, now: Date): number {
  if (d.action === 'check') return 0;
  const until = d.action === 'wait' ? d.until : d.retryAt;
  return Math.max(1000, Math.min(MAX_SLEEP_MS, until.getTime() - now.getTime()));
}
