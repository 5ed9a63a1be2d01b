import type { OsState } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import { throwIfAptFailed } from './apt-errors';
import { runApt } from './apt-run';
import type { AptTarget } from './apt-target';
import { readOfflineParts, withCheck } from './os-state';
import { planUpgrade } from './plan';
import type { RelevantList } from './relevant-list';
import { loadLastCheck, saveLastCheck } from './state-files';

// check = `apt-get update` (the network), then the simulated upgrade split by the list (plan.ts), saved as the last
// check so `status` can show it offline. A source apt rejects or cannot reach fails the check with its own code:
// apt-get update leaves old indexes in place and exits 0 when a source is unreachable, and listing "no updates"
// from stale metadata would be a lie. status = the same state, with the last check's updates, no network.

export async function refreshMetadata(target: AptTarget, ctx: JobContext): Promise<void> {
  ctx.progress({ kind: 'os', phase: 'refresh', message: 'apt-get update' });
  const run = await runApt(target, 'apt-get', ['-q', 'update'], ctx, {
    onStatus: (e) => ctx.progress({ kind: 'os', phase: 'refresh', message: e.message }),
  });
  await throwIfAptFailed(run, target);
}

export async function checkUpdates(
  target: AptTarget,
  list: RelevantList | Promise<RelevantList>,
  stateDir: string,
  ctx: JobContext,
): Promise<OsState> {
  // The refresh is the long pole (the network): started first, so its apt-get is spawned before the readers'.
  // The dpkg database, os-release and the reboot flag do not depend on it: read them meanwhile.
  const refreshed = refreshMetadata(target, ctx);
  refreshed.catch(() => undefined); // awaited below
  const offline = readOfflineParts(target, ctx);
  offline.catch(() => undefined); // awaited below, also when the refresh fails (its tools finish first)
  try {
    await refreshed;
    ctx.progress({ kind: 'os', phase: 'check', message: 'simulating the upgrade' });
    const plan = await planUpgrade(target, await list, ctx);
    const check = { checkedAt: new Date().toISOString(), ...plan };
    await saveLastCheck(stateDir, { root: target.root, ...check });
    ctx.progress({
      kind: 'os',
      phase: 'check',
      items: plan.updates.length,
      itemsTotal: plan.updates.length,
      message: `${plan.updates.length} OS updates, ${plan.notOsUpdates.length} other upgradable packages left alone`,
    });
    return withCheck(await offline, check);
  } catch (err) {
    await offline.catch(() => undefined);
    throw err;
  }
}

export async function offlineStatus(target: AptTarget, stateDir: string, ctx: JobContext): Promise<OsState> {
  const [parts, last] = await Promise.all([
    readOfflineParts(target, ctx),
    loadLastCheck(stateDir, target.root),
  ]);
  return withCheck(parts, last);
}
