import type { OsBadge, OsCheckOutcome } from './contract';
import { OS_CHECK_OVERDUE_DAYS } from './contract';
import type { OsState, OsUpdate } from './model';

// The numbers the tray, the home card and the page header show, as pure functions of what was last recorded.
// One place, so the three never disagree.

const DAY_MS = 24 * 3600 * 1000;

export interface OsRecordView {
  state?: OsState;
  lastCheck?: OsCheckOutcome;
  lastSuccessAt?: string;
}

/**
 * Overdue: no check has succeeded for OS_CHECK_OVERDUE_DAYS. Before the first success the clock starts at the
 * first attempt (a machine never checked is overdue a week after it first tried, not at once on first start).
 */
export function checkOverdue(r: OsRecordView, now: Date): boolean {
  const since = r.lastSuccessAt ?? r.lastCheck?.at;
  if (!since) return false;
  const t = Date.parse(since);
  return Number.isFinite(t) && now.getTime() - t >= OS_CHECK_OVERDUE_DAYS * DAY_MS;
}

export function osBadge(r: OsRecordView, now: Date): OsBadge {
  const updates = r.state?.updates ?? [];
  return {
    updates: updates.length,
    security: updates.filter((u) => u.security).length,
    rebootRequired: r.state?.reboot.required ?? false,
    interrupted: r.state?.interrupted !== undefined,
    checkOverdue: checkOverdue(r, now),
  };
}

/**
 * A set of updates as one key: the same packages at the same target versions give the same key, whatever the
 * order or the check that found them. A new version of one package is a new set (worth one new notification).
 */
export function updateSetKey(updates: readonly Pick<OsUpdate, 'name' | 'to'>[]): string {
  return [...new Set(updates.map((u) => `${u.name}=${u.to ?? '(removed)'}`))].sort().join('\n');
}
