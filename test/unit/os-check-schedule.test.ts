import { describe, expect, it } from 'vitest';
import {
  decideOsCheck,
  MAX_SLEEP_MS,
  METERED_RETRY_MS,
  nextCheckDue,
  sleepFor,
} from '../../src/main/core/os/check-schedule';

// The background check's rules on a fake clock: at start, then once per interval (counting anyone's check),
// never on a metered network unless the setting allows it, retried sooner after a metered skip.

const H = 3600 * 1000;
const t0 = new Date('2026-11-25T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();
const free = { metered: false, onMetered: false };

describe('background OS check schedule', () => {
  it('checks at start when nothing was ever checked', () => {
    expect(decideOsCheck({ now: t0, ...free })).toEqual({ action: 'check' });
  });

  it('checks at most once per interval, default 6 h, counting the last attempt', () => {
    const last = { lastAttemptAt: iso(0) };
    expect(decideOsCheck({ now: at(6 * H - 1), ...last, ...free })).toEqual({
      action: 'wait',
      until: at(6 * H),
    });
    expect(decideOsCheck({ now: at(6 * H), ...last, ...free })).toEqual({ action: 'check' });
    // The setting changes the interval.
    expect(decideOsCheck({ now: at(2 * H), intervalHours: 2, ...last, ...free })).toEqual({
      action: 'check',
    });
    expect(decideOsCheck({ now: at(2 * H), intervalHours: 3, ...last, ...free }).action).toBe('wait');
  });

  it("counts the person's own check: a check now at 05:00 moves the next background one to 11:00", () => {
    const r = { lastAttemptAt: iso(0), lastCheckAt: iso(5 * H) };
    expect(decideOsCheck({ now: at(6 * H), ...r, ...free })).toEqual({ action: 'wait', until: at(11 * H) });
    expect(nextCheckDue({ now: at(6 * H), ...r })).toEqual(at(11 * H));
  });

  it('skips on a metered network without using up the interval, and retries in 30 min', () => {
    const d = decideOsCheck({ now: at(7 * H), lastAttemptAt: iso(0), metered: true, onMetered: false });
    expect(d).toEqual({ action: 'skip-metered', retryAt: at(7 * H + METERED_RETRY_MS) });
    // osCheckOnMetered forces it.
    expect(decideOsCheck({ now: at(7 * H), lastAttemptAt: iso(0), metered: true, onMetered: true })).toEqual({
      action: 'check',
    });
    // Not due yet: waiting wins over the metered question (no skip is reported inside the interval).
    expect(decideOsCheck({ now: at(H), lastAttemptAt: iso(0), metered: true, onMetered: false }).action).toBe(
      'wait',
    );
  });

  it('treats a record from the future (clock set back) as now, and an unreadable one as never', () => {
    expect(nextCheckDue({ now: t0, lastAttemptAt: iso(100 * H) })).toEqual(at(6 * H));
    expect(decideOsCheck({ now: t0, lastAttemptAt: 'yesterday', ...free })).toEqual({ action: 'check' });
  });

  it('sleeps until the next decision, at most an hour (a changed setting applies), at least a second', () => {
    expect(sleepFor({ action: 'wait', until: at(5 * H) }, t0)).toBe(MAX_SLEEP_MS);
    expect(sleepFor({ action: 'wait', until: at(10 * 60 * 1000) }, t0)).toBe(10 * 60 * 1000);
    expect(sleepFor({ action: 'skip-metered', retryAt: at(METERED_RETRY_MS) }, t0)).toBe(METERED_RETRY_MS);
    expect(sleepFor({ action: 'wait', until: at(-5) }, t0)).toBe(1000);
    expect(sleepFor({ action: 'check' }, t0)).toBe(0);
  });
});
