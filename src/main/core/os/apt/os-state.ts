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

export async function buildOsState(
  target: AptTarget,
  check: Omit<LastCheck, 'root'> | undefined,
  ctx: JobContext,
): Promise<OsState> {
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
    updates: check?.updates ?? [],
    notOsUpdates: check?.notOsUpdates ?? [],
    // apt has no deployments: the system is whatever the packages are.
    deployments: [],
    reboot,
    ...(interrupted ? { interrupted } : {}),
    ...(check ? { checkedAt: check.checkedAt } : {}),
  };
}
