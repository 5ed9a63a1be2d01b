import { KintsugiError } from '../../../../shared/errors';
import type { OsDeployment, OsRelease, OsState } from '../../../../shared/os/model';
import { rollbackTarget } from '../ostree/rollback-target';
import type { RpmOstreeDeployment, RpmOstreeStatus } from './status-json';
import { cachedUpdates } from './updates';

// `rpm-ostree status --json` as the one OsState (pure). The stateroot is the one asked for, else the booted one;
// "current" is its booted deployment (else its first), "default" its first: a reboot is needed when they differ.
// rpm-ostree's cached update is what its daemon computed at its last check: upstream warns it may be out of date
// (`upgrade --check` prints "Note: --check and --preview may be unreliable", coreos/rpm-ostree#1579), so any
// answer built on it says stale.

export interface RpmOstreeView {
  osName: string;
  current: RpmOstreeDeployment;
  default: RpmOstreeDeployment;
  booted: RpmOstreeDeployment | undefined;
}

export function viewOf(s: RpmOstreeStatus, asked: string | undefined): RpmOstreeView {
  const booted = s.deployments.find((d) => d.booted);
  const names = [...new Set(s.deployments.map((d) => d.osname))];
  if (asked !== undefined && !names.includes(asked))
    throw new KintsugiError(
      'OS_UNKNOWN_STATEROOT',
      `rpm-ostree has no deployment of "${asked}"; present: ${names.join(', ') || 'none'}`,
    );
  const osName = asked ?? booted?.osname ?? names[0];
  const mine = s.deployments.filter((d) => d.osname === osName);
  if (!osName || !mine[0])
    throw new KintsugiError('OS_NO_DEPLOYMENT', 'rpm-ostree status lists no deployment');
  const current = booted?.osname === osName ? booted : mine[0];
  return { osName, current, default: mine[0], booted };
}

export function label(d: { version?: string | undefined; checksum: string }): string {
  return d.version ?? d.checksum.slice(0, 12);
}

export function toDeployments(s: RpmOstreeStatus, osName: string): OsDeployment[] {
  const order = s.deployments.map((d, index) => ({
    index,
    osName: d.osname,
    booted: d.booted,
    staged: d.staged,
  }));
  const target = rollbackTarget(order, osName);
  return s.deployments.map((d, index) => ({
    index,
    osName: d.osname,
    checksum: d.checksum,
    ...(d.version !== undefined ? { version: d.version } : {}),
    ...(d.origin !== undefined ? { origin: d.origin } : {}),
    booted: d.booted,
    staged: d.staged,
    pinned: d.pinned,
    rollbackTarget: target.kind === 'target' && target.index === index,
  }));
}

export function rpmOstreeState(
  s: RpmOstreeStatus,
  asked: string | undefined,
  release: OsRelease,
  extra: { checkedAt?: string; noUpdate?: boolean } = {},
): OsState {
  const v = viewOf(s, asked);
  const cu = s['cached-update'];
  const pending = v.booted && v.default !== v.booted ? v.default : undefined;
  return {
    backend: 'rpm-ostree',
    release,
    currentVersion: label(v.current),
    updates: extra.noUpdate ? [] : cachedUpdates(cu, v.current),
    notOsUpdates: [],
    deployments: toDeployments(s, v.osName),
    reboot: pending
      ? {
          required: true,
          why: [`${label(pending)} ${pending.staged ? 'is staged' : 'is the default'} for the next boot`],
        }
      : { required: false, why: [] },
    ...(s.transaction ? { transaction: { title: s.transaction[0], initiator: s.transaction[1] } } : {}),
    ...(extra.checkedAt ? { checkedAt: extra.checkedAt } : {}),
    ...(cu || extra.checkedAt ? { stale: true } : {}),
  };
}
