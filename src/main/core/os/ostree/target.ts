import { join } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';
import type { OsBackendOptions } from '../backend';
import type { StatusEntry } from './admin-status';
import { readDeployments } from './read-deployments';
import { checkSysroot, resolveStateroot } from './sysroot';

// One look at the sysroot that every operation starts from: checked, its deployments read, the stateroot chosen,
// and the stateroot's "current" deployment (the booted one, else the default: the one an upgrade builds on, as
// libostree's merge deployment).

export interface OstreeTarget {
  sysroot: string;
  repo: string;
  osName: string;
  entries: StatusEntry[];
  /** The stateroot's current deployment. */
  current: StatusEntry;
  /** The stateroot's default at the next boot (its first deployment). */
  default: StatusEntry;
  booted: StatusEntry | undefined;
}

export async function loadTarget(
  opts: Pick<OsBackendOptions, 'sysroot' | 'osName'>,
  signal?: AbortSignal,
): Promise<OstreeTarget> {
  await checkSysroot(opts.sysroot);
  const entries = await readDeployments(opts.sysroot, signal);
  const booted = entries.find((e) => e.booted);
  const osName = await resolveStateroot(opts.sysroot, opts.osName, booted?.osName);
  const mine = entries.filter((e) => e.osName === osName);
  const current = (booted?.osName === osName ? booted : undefined) ?? mine[0];
  if (!current || !mine[0])
    throw new KintsugiError('OS_NO_DEPLOYMENT', `stateroot "${osName}" in ${opts.sysroot} has no deployment`);
  return {
    sysroot: opts.sysroot,
    repo: join(opts.sysroot, 'ostree', 'repo'),
    osName,
    entries,
    current,
    default: mine[0],
    booted,
  };
}

/** What a person reads as "the version": the commit's version metadata, else its checksum's first 12 digits. */
export function label(e: { version?: string; checksum: string }): string {
  return e.version ?? e.checksum.slice(0, 12);
}
