import { KintsugiError } from '../../../../shared/errors';
import type { OsApplyResult, OsUpgrade } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import type { AptTarget } from './apt-target';
import { auditDpkg, INTERRUPTED_FIX } from './audit';
import { autoInstalled, markAuto } from './auto-marks';
import { runBootHooks } from './hooks';
import { installedVersions } from './installed';
import { runInstallPhase } from './install-phase';
import { planUpgrade } from './plan';
import { readRebootRequired } from './reboot-required';
import type { RelevantList } from './relevant-list';
import { loadLastCheck, rollbackFile, saveLastCheck, saveRollbackRecord } from './state-files';

// apply: the OS updates of the current metadata (no refresh: what the last check fetched), in two phases:
// userspace first, then kernel and initramfs packages last, so a kernel is only configured once the tools that
// build its initramfs are current. Before dpkg runs, the versions being replaced are written (atomically) for
// rollback. A database left half-configured by an earlier run is refused: finish it first (configurePending).

export async function applyUpdates(
  target: AptTarget,
  list: RelevantList,
  o: { stateDir: string; lockTimeoutSeconds: number },
  ctx: JobContext,
): Promise<OsApplyResult> {
  const interrupted = await auditDpkg(target, ctx);
  if (interrupted)
    throw new KintsugiError('OS_INTERRUPTED', interrupted.detail, {
      hint: `Nothing was changed. Finish the interrupted run first (${INTERRUPTED_FIX}), then apply again.`,
    });
  const { updates } = await planUpgrade(target, list, ctx);
  const userspace = updates.filter((u) => u.kind !== 'kernel');
  const kernel = updates.filter((u) => u.kind === 'kernel');
  if (!updates.length)
    return {
      backend: 'apt',
      applied: [],
      hooks: ['none needed: nothing was applied'],
      reboot: await readRebootRequired(target.root),
    };

  await saveRollbackRecord(o.stateDir, {
    root: target.root,
    createdAt: new Date().toISOString(),
    packages: updates,
  });
  const wasAuto = await autoInstalled(target, ctx);
  const pins = (us: OsUpgrade[]) => us.map((u) => `${u.name}=${u.to}`);
  await runInstallPhase(
    target,
    { phase: 'userspace', pins: pins(userspace), lockTimeoutSeconds: o.lockTimeoutSeconds },
    ctx,
  );
  await runInstallPhase(
    target,
    { phase: 'kernel', pins: pins(kernel), lockTimeoutSeconds: o.lockTimeoutSeconds },
    ctx,
  );

  const now = await installedVersions(target, ctx);
  const applied = [...userspace, ...kernel].filter((u) => now.get(u.name) === u.to);
  await markAuto(
    target,
    applied.filter((u) => u.from === undefined || wasAuto.has(u.name)).map((u) => u.name),
    ctx,
  );
  const hooks = await runBootHooks(
    target.root,
    applied.some((u) => u.kind === 'kernel'),
    ctx,
  );
  // The last check's list no longer holds what is now installed (status would show it again otherwise).
  const last = await loadLastCheck(o.stateDir, target.root);
  if (last)
    await saveLastCheck(o.stateDir, {
      ...last,
      updates: last.updates.filter((u) => now.get(u.name) !== u.to),
    });
  return {
    backend: 'apt',
    applied,
    hooks,
    reboot: await readRebootRequired(target.root),
    rollbackRecord: rollbackFile(o.stateDir),
  };
}
