import type { Settings } from '../../../shared/app/settings';
import type { OsOverview } from '../../../shared/os/contract';
import { osBadge } from '../../../shared/os/badge';
import type { OsTargetConfig } from './target';
import { nextCheckDue } from './check-schedule';
import type { OsDetection } from './detect';
import type { OsRecord } from './state-store';

// The page's, the home card's and the tray's one reading of the OS (offline): the record, the badge numbers, the
// backend, main's target and the schedule.

export function osOverview(
  record: OsRecord,
  settings: Settings,
  target: OsTargetConfig,
  backend: OsDetection | { problem: string },
  now: Date,
): OsOverview {
  const due = nextCheckDue({
    now,
    ...(settings.osCheckIntervalHours !== undefined ? { intervalHours: settings.osCheckIntervalHours } : {}),
    ...(record.lastAttemptAt ? { lastAttemptAt: record.lastAttemptAt } : {}),
    ...(record.lastCheck ? { lastCheckAt: record.lastCheck.at } : {}),
  });
  return {
    ...(record.state ? { state: record.state } : {}),
    ...(record.stateFrom ? { stateFrom: record.stateFrom } : {}),
    ...(record.lastCheck ? { lastCheck: record.lastCheck } : {}),
    ...(record.lastSuccessAt ? { lastSuccessAt: record.lastSuccessAt } : {}),
    badge: osBadge(record, now),
    ...('problem' in backend
      ? { backendProblem: backend.problem }
      : { backend: { name: backend.name, how: backend.how, why: backend.why } }),
    target: {
      root: target.root,
      sysroot: target.sysroot,
      ...(target.osName ? { osName: target.osName } : {}),
    },
    schedule: {
      intervalHours: settings.osCheckIntervalHours ?? 6,
      onMetered: settings.osCheckOnMetered ?? false,
      ...(due.getTime() > now.getTime() ? { nextAt: due.toISOString() } : {}),
    },
  };
}
