import type { OsOverview } from '../../../shared/os/contract';
import type { OsDeployment, OsUpdate } from '../../../shared/os/model';
import { formatBytes } from '../../shared/format';

// Pure readings of main's OS overview for the page: the update list as it prints it and which actions it offers.
// The home card's sentence is src/shared/os/glance.ts (shared with the tray's numbers in src/shared/os/badge.ts).

export interface UpdateLine {
  name: string;
  /** "1.0 → 1.1", or "new: 1.1" for a package the update installs. */
  change: string;
  security: boolean;
  kind: OsUpdate['kind'];
  /** "12.0 MiB", or "—" when the backend cannot tell. */
  size: string;
}

/** A commit id as people compare them: the first 10 hex digits (git's habit, enough to tell versions apart). */
export const shortChecksum = (c: string | undefined): string => (c ? c.slice(0, 10) : '');

/** One update as a row: an image update without version labels shows its commits instead. */
export function updateLine(u: OsUpdate): UpdateLine {
  const from = u.from ?? (u.fromChecksum ? shortChecksum(u.fromChecksum) : undefined);
  const to = u.to || shortChecksum(u.toChecksum);
  return {
    name: u.name,
    change: !to ? `removed: ${from ?? ''}` : from !== undefined ? `${from} → ${to}` : `new: ${to}`,
    security: u.security,
    kind: u.kind,
    size: u.downloadBytes !== undefined ? formatBytes(u.downloadBytes) : '—',
  };
}

/** Security updates first (they are why people apply at all), then by name. */
export function updateLines(updates: readonly OsUpdate[]): UpdateLine[] {
  return [...updates]
    .sort((a, b) => Number(b.security) - Number(a.security) || a.name.localeCompare(b.name))
    .map(updateLine);
}

/** The download of the whole set, only when every update's size is known (a partial sum would mislead). */
export function totalDownload(updates: readonly OsUpdate[]): number | undefined {
  if (!updates.length || updates.some((u) => u.downloadBytes === undefined)) return undefined;
  return updates.reduce((n, u) => n + (u.downloadBytes ?? 0), 0);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "3 updates (1 security)", "No updates". */
export function countText(updates: number, security: number): string {
  if (!updates) return 'No updates';
  return `${plural(updates, 'update')}${security ? ` (${security} security)` : ''}`;
}

export interface OsActions {
  check: boolean;
  apply: boolean;
  /** A rollback target exists (ostree / rpm-ostree: the previous deployment). */
  rollback: boolean;
  repair: boolean;
  /** Per-deployment Pin / Unpin (image backends only). */
  pin: boolean;
  /** Which button is the page's primary action (Enter on the heading, the fold check). */
  primary: 'apply' | 'repair' | 'check';
}

/**
 * What the page offers. Nothing while an OS job runs (the helper runs one at a time; a second would wait on the
 * first's lock). Apply only with updates and no interrupted apply (finish that first: Repair). No backend: only
 * Check, whose job says why.
 */
export function osActions(o: OsOverview | undefined, running: boolean): OsActions {
  const s = o?.state;
  const interrupted = s?.interrupted !== undefined;
  const image = s !== undefined && s.backend !== 'apt';
  const apply = !running && !interrupted && (s?.updates.length ?? 0) > 0;
  return {
    check: !running && o !== undefined,
    apply,
    rollback: !running && image && s.deployments.some((d) => d.rollbackTarget),
    repair: !running && interrupted,
    pin: !running && image,
    primary: interrupted ? 'repair' : (s?.updates.length ?? 0) > 0 ? 'apply' : 'check',
  };
}

/** The deployment a rollback makes the default, named as the confirm dialog says it. */
export function rollbackTarget(deployments: readonly OsDeployment[]): OsDeployment | undefined {
  return deployments.find((d) => d.rollbackTarget);
}

export const deploymentLabel = (d: OsDeployment): string =>
  `${d.version ?? shortChecksum(d.checksum)} (deployment ${d.index})`;
