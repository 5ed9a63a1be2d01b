import type { OsRebootState, OsState, OsUpdate } from '../../../../shared/os/model';
import { readDeploymentOsRelease } from './os-release-local';
import { toOsDeployments } from './read-deployments';
import { deploymentDir } from './sysroot';
import { label, type OstreeTarget } from './target';

// The OsState of an ostree sysroot. A reboot is needed when the system runs one deployment and another is the
// default at the next boot (a pending or staged update, or a rollback); a sysroot that is not the running system
// (nothing booted) never needs one: it starts from its default whenever it boots.

export function rebootState(t: OstreeTarget): OsRebootState {
  const b = t.booted;
  if (!b || b.osName !== t.osName || t.default.index === b.index) return { required: false, why: [] };
  const how = t.default.staged ? 'is staged and is finished at shutdown' : 'is the default';
  return {
    required: true,
    why: [`${label(t.default)} ${how}; the system still runs ${label(b)}`],
  };
}

export async function ostreeState(
  t: OstreeTarget,
  update: OsUpdate | undefined,
  checkedAt?: string,
): Promise<OsState> {
  const d = t.default;
  return {
    backend: 'ostree',
    release: await readDeploymentOsRelease(deploymentDir(t.sysroot, d.osName, d.checksum, d.serial)),
    currentVersion: label(t.current),
    updates: update ? [update] : [],
    notOsUpdates: [],
    deployments: toOsDeployments(t.entries, t.osName),
    reboot: rebootState(t),
    ...(checkedAt ? { checkedAt } : {}),
  };
}
