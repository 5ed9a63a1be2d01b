import { KintsugiError } from '../../../../shared/errors';
import type { OsRollbackResult, OsUpdate } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import { runApt } from './apt-run';
import type { AptTarget } from './apt-target';
import { auditDpkg, INTERRUPTED_FIX } from './audit';
import { autoInstalled, markAuto } from './auto-marks';
import { installedVersions } from './installed';
import { runInstallPhase } from './install-phase';
import { readRebootRequired } from './reboot-required';
import { loadRollbackRecord, retireRollbackRecord } from './state-files';

// rollback: reinstall the versions the last apply replaced (NAME=OLD with --allow-downgrades), in the same two
// phases. Best effort, and said so: apt can only reinstall a version some source still offers (a mirror drops old
// versions), packages the update newly installed stay, and maintainer scripts are not written to run backwards.
// A version no source offers is left out (named in the caveats) and the rest still goes back.

export const APT_ROLLBACK_CAVEAT =
  'apt rollback is best effort: it reinstalls the older versions only while a package source still offers them, ' +
  'leaves packages the update newly installed in place, and downgrades are not something Debian packages are tested for.';

const NOT_FOUND = /Version '([^']+)' for '([^']+)' was not found/g;

/** The versions no source offers, from a simulated install of PINS. */
async function unavailable(target: AptTarget, pins: string[], ctx: JobContext): Promise<string[]> {
  const run = await runApt(
    target,
    'apt-get',
    ['-o', 'Debug::NoLocking=1', '-s', '--allow-downgrades', '--no-remove', 'install', ...pins],
    ctx,
  );
  return [...`${run.stderr}\n${run.stdout}`.matchAll(NOT_FOUND)].map((m) => `${m[2]}=${m[1]}`);
}

export async function rollbackLastApply(
  target: AptTarget,
  o: { stateDir: string; lockTimeoutSeconds: number },
  ctx: JobContext,
): Promise<OsRollbackResult> {
  const record = await loadRollbackRecord(o.stateDir, target.root);
  if (!record)
    throw new KintsugiError('OS_NO_ROLLBACK_RECORD', `no record for ${target.root} in ${o.stateDir}`);
  const interrupted = await auditDpkg(target, ctx);
  if (interrupted)
    throw new KintsugiError('OS_INTERRUPTED', interrupted.detail, {
      hint: `Nothing was changed. Finish the interrupted run first (${INTERRUPTED_FIX}), then roll back.`,
    });

  const installed = await installedVersions(target, ctx);
  const actions: string[] = [];
  const caveats = [APT_ROLLBACK_CAVEAT];
  const back: OsUpdate[] = [];
  for (const p of record.packages) {
    const now = installed.get(p.name);
    if (p.from === undefined) caveats.push(`${p.name} ${p.to} was newly installed by the update and stays`);
    else if (now === p.from) actions.push(`${p.name} is already at ${p.from}`);
    else back.push(p);
  }
  let pins = back.map((p) => `${p.name}=${p.from}`);
  const missing = pins.length ? await unavailable(target, pins, ctx) : [];
  for (const m of missing)
    caveats.push(`${m.replace('=', ' ')} is no longer offered by any source: not reinstalled`);
  pins = pins.filter((p) => !missing.includes(p));

  const wasAuto = await autoInstalled(target, ctx);
  const phaseOf = (pin: string) => back.find((b) => `${b.name}=${b.from}` === pin)?.kind;
  const common = { lockTimeoutSeconds: o.lockTimeoutSeconds, allowDowngrades: true };
  await runInstallPhase(
    target,
    { phase: 'userspace', pins: pins.filter((p) => phaseOf(p) !== 'kernel'), ...common },
    ctx,
  );
  await runInstallPhase(
    target,
    { phase: 'kernel', pins: pins.filter((p) => phaseOf(p) === 'kernel'), ...common },
    ctx,
  );

  const after = await installedVersions(target, ctx);
  await markAuto(
    target,
    back.filter((b) => wasAuto.has(b.name)).map((b) => b.name),
    ctx,
  );
  for (const b of back)
    if (pins.includes(`${b.name}=${b.from}`))
      actions.push(
        after.get(b.name) === b.from
          ? `reinstalled ${b.name} ${b.from} (was ${installed.get(b.name) ?? 'not installed'})`
          : `${b.name} did not go back to ${b.from} (now ${after.get(b.name) ?? 'not installed'})`,
      );
  if (missing.length === 0) await retireRollbackRecord(o.stateDir);
  else
    caveats.push('the record is kept, so a rollback can be tried again once a source offers those versions');
  return { backend: 'apt', actions, caveats, reboot: await readRebootRequired(target.root) };
}
