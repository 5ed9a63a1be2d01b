import type { OsState, OsUpgrade } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import { throwIfAptFailed } from './apt-errors';
import { runApt } from './apt-run';
import type { AptTarget } from './apt-target';
import { parsePrintUris } from './print-uris';
import type { RelevantList } from './relevant-list';
import { parseSimulation } from './simulation';

// What an upgrade would do, split by the OS-relevant list: apt's own simulation of `upgrade --with-new-pkgs` (the
// upgrade apt would make: new packages allowed, e.g. the next kernel ABI a meta package pulls in, removals never)
// and, run beside it, the same command with --print-uris for the download sizes. Both only read (no lock): the
// metadata is the one the last `apt-get update` fetched. Listed packages are OS updates, in two phases; the rest
// is shown as "not OS updates" and never touched.

export const UPGRADE_ARGS = ['--with-new-pkgs', 'upgrade'] as const;
const READ_ONLY = ['-o', 'Debug::NoLocking=1'] as const;

export interface UpgradePlan {
  updates: OsUpgrade[];
  notOsUpdates: OsState['notOsUpdates'];
}

export async function planUpgrade(
  target: AptTarget,
  list: RelevantList,
  ctx: JobContext,
): Promise<UpgradePlan> {
  const [sim, uris] = await Promise.all([
    runApt(target, 'apt-get', [...READ_ONLY, '-s', ...UPGRADE_ARGS], ctx),
    runApt(target, 'apt-get', [...READ_ONLY, '-qq', '--print-uris', ...UPGRADE_ARGS], ctx),
  ]);
  await throwIfAptFailed(sim, target);
  await throwIfAptFailed(uris, target);
  return splitPlan(parseSimulation(sim.stdout), parsePrintUris(uris.stdout), list);
}

export function splitPlan(
  installs: ReturnType<typeof parseSimulation>,
  sizes: ReadonlyMap<string, number>,
  list: RelevantList,
): UpgradePlan {
  const updates: OsUpgrade[] = [];
  const notOsUpdates: UpgradePlan['notOsUpdates'] = [];
  for (const i of installs) {
    const phase = list.phaseOf(i.name);
    const from = i.from !== undefined ? { from: i.from } : {};
    if (!phase) {
      notOsUpdates.push({ name: i.name, ...from, to: i.to });
      continue;
    }
    updates.push({
      name: i.name,
      ...from,
      to: i.to,
      security: i.security,
      kind: phase,
      downloadBytes: sizes.get(i.name) ?? 0,
      ...(i.origins.length ? { source: i.origins.join(', ') } : {}),
    });
  }
  return { updates, notOsUpdates };
}
