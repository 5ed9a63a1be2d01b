import type { OsState } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import { readOsRelease } from '../os-release';
import type { AptTarget } from './apt-target';
import { auditDpkg } from './audit';
import { currentVersionLine, installedVersions } from './installed';
import { readRebootRequired } from './reboot-required';
import type { LastCheck } from './state-files';

// The offline part of an OsState, read fresh every time (release, current version, reboot flag, an interrupted
// apply), around the updates of a check: the one just made, or the last one on disk (status).

export type OfflineParts = Omit<OsState, 'updates' | 'notOsUpdates' | 'checkedAt'>;

/** Everything of the state that does not need the network: started beside `apt-get update` by check. */
export async function readOfflineParts(target: AptTarget, ctx: JobContext): Promise<OfflineParts> {
  const [release, installed, reboot, interrupted] = await Promise.all([
    readOsRelease(target.root),
    installedVersions(target, ctx),
    readRebootRequired(target.root),
    auditDpkg(target, ctx),
  ]);
  return {
    backend: 'apt',
    release,
    currentVersion: currentVersionLine(target.root, release, installed),
    // apt has no deployments: the system is whatever the packages are.
    deployments: [],
    reboot,
    ...(interrupted ? { interrupted } : {}),
  };
}

export function withCheck(parts: OfflineParts, check: Omit<LastCheck, 'root'> | undefined): OsState {
  return {
    ...parts,
    updates: check?.updates ?? [],
    notOsUpdates: check?.notOsUpdates ?? [],
    ...(check ? { checkedAt: check.checkedAt } : {}),
  };
}
