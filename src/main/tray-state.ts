import type { JobRecord } from '../shared/jobs/record';
import type { Progress } from '../shared/progress';
import { formatBytes } from '../shared/format-bytes';

// What the tray says, as a pure function of the running jobs: until the update checks exist it shows an active
// job (count on the badge, progress in the tooltip) and nothing else — never a number that is not true.

export interface TrayState {
  badge: number;
  tooltip: string;
  menuLabel: string;
}

export function trayStateFrom(running: Pick<JobRecord, 'title' | 'last'>[]): TrayState {
  if (running.length === 0) return { badge: 0, tooltip: 'Kintsugi Updater', menuLabel: 'Open' };
  const first = running[0]!;
  const more = running.length > 1 ? ` (+${running.length - 1} more)` : '';
  return {
    badge: running.length,
    tooltip: `Kintsugi Updater: ${first.title}${describe(first.last)}${more}`,
    menuLabel: `Open (${running.length} job${running.length === 1 ? '' : 's'} running)`,
  };
}

function describe(p: Progress | undefined): string {
  if (!p) return '';
  if (p.total && p.bytes !== undefined) {
    const pct = Math.min(100, Math.floor((p.bytes / p.total) * 100));
    return ` — ${p.phase} ${pct}% of ${formatBytes(p.total)}`;
  }
  return ` — ${p.phase}`;
}
