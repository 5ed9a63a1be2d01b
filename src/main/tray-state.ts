import type { JobRecord } from '../shared/jobs/record';
import type { LayerAttention } from '../shared/layer-attention';
import type { OsBadge } from '../shared/os/contract';
import { OS_CHECK_OVERDUE_DAYS } from '../shared/os/contract';
import { updateSetKey } from '../shared/os/badge';
import type { OsState } from '../shared/os/model';
import type { Progress } from '../shared/progress';
import { formatBytes } from '../shared/format-bytes';

// What the tray says, as pure functions: the badge is "something on this machine or drive needs you" — OS
// updates, the layers' own counts (layer-attention.ts) and running jobs — the tooltip says what, and the
// notifications say it once: one per NEW set of updates (never once per check), one warning per stretch of a
// week without a successful check. Never a number that is not true.

export interface TrayState {
  badge: number;
  tooltip: string;
  menuLabel: string;
}

export interface TrayAttention {
  os?: OsBadge;
  layers?: LayerAttention[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function trayStateFrom(
  running: Pick<JobRecord, 'title' | 'last'>[],
  attention: TrayAttention = {},
): TrayState {
  const os = attention.os;
  const layers = (attention.layers ?? []).filter((l) => l.count > 0);
  const parts: string[] = [];
  if (os?.updates) parts.push(`${plural(os.updates, 'update')} (${os.security} security)`);
  if (os?.interrupted) parts.push('an OS update was interrupted: repair it');
  if (os?.rebootRequired) parts.push('restart to finish the OS update');
  if (os?.checkOverdue) parts.push(`no OS check has succeeded for ${OS_CHECK_OVERDUE_DAYS} days`);
  for (const l of layers) parts.push(l.text);
  if (running.length) {
    const first = running[0]!;
    const more = running.length > 1 ? ` (+${running.length - 1} more)` : '';
    parts.push(`${first.title}${describe(first.last)}${more}`);
  }
  const badge =
    (os?.updates ?? 0) + (os?.interrupted ? 1 : 0) + layers.reduce((a, l) => a + l.count, 0) + running.length;
  return {
    badge,
    tooltip: parts.length ? `Kintsugi Updater: ${parts.join('; ')}` : 'Kintsugi Updater',
    menuLabel: running.length ? `Open (${plural(running.length, 'job')} running)` : 'Open',
  };
}

export interface TrayNotice {
  /** What is remembered (os.json) so the same notice is never shown twice. */
  key: string;
  title: string;
  body: string;
}

/** A notice for a set of OS updates not announced before (`notifiedKey` is the last one announced). */
export function updatesNotice(
  state: OsState | undefined,
  notifiedKey: string | undefined,
): TrayNotice | undefined {
  if (!state?.updates.length) return undefined;
  const key = updateSetKey(state.updates);
  if (key === notifiedKey) return undefined;
  const security = state.updates.filter((u) => u.security).length;
  return {
    key,
    title: `${plural(state.updates.length, 'OS update')} available`,
    body: `${state.release.prettyName}: ${state.updates.length} update${state.updates.length === 1 ? '' : 's'} (${security} security). Open Kintsugi Updater to apply them.`,
  };
}

/**
 * The week-without-a-check warning, once per stretch: keyed by the success (or first attempt) it counts from, so
 * a later success and a later stretch warn again, a restart does not.
 */
export function overdueNotice(
  os: OsBadge | undefined,
  since: string | undefined,
  warnedKey: string | undefined,
): TrayNotice | undefined {
  if (!os?.checkOverdue) return undefined;
  const key = `overdue:${since ?? ''}`;
  if (key === warnedKey) return undefined;
  return {
    key,
    title: 'OS updates not checked for a week',
    body: `No check for OS updates has succeeded for ${OS_CHECK_OVERDUE_DAYS} days. Open Kintsugi Updater and check now; the OS page says what failed.`,
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
