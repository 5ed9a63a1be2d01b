import type { JobContext } from '../../jobs/context';
import { throwIfAptFailed } from './apt-errors';
import { runApt } from './apt-run';
import type { AptTarget } from './apt-target';
import { StatusTally } from './status-fd';

// One apt install run of an apply or a rollback phase: the exact NAME=VERSION list (what the check showed, nothing
// apt would pick on its own), never removing a package (--no-remove: apt refuses instead), the person's changed
// config files kept (confdef/confold: no prompt can hang a background job), the dpkg lock awaited for
// lockTimeoutSeconds (DPkg::Lock::Timeout) before OS_LOCK_HELD names its holder. Progress from APT::Status-Fd:
// downloads as 'download', dpkg's work as the phase, packages counted as apt reports each "Installed".

export interface PhaseRun {
  phase: 'userspace' | 'kernel';
  /** NAME=VERSION */
  pins: string[];
  lockTimeoutSeconds: number;
  allowDowngrades?: boolean;
}

export async function runInstallPhase(target: AptTarget, p: PhaseRun, ctx: JobContext): Promise<void> {
  if (!p.pins.length) return;
  const tally = new StatusTally();
  const total = p.pins.length;
  ctx.progress({ kind: 'os', phase: p.phase, items: 0, itemsTotal: total, message: `${total} packages` });
  const run = await runApt(
    target,
    'apt-get',
    [
      '-y',
      '-q',
      '--no-remove',
      ...(p.allowDowngrades ? ['--allow-downgrades'] : []),
      '-o',
      `DPkg::Lock::Timeout=${Math.max(0, Math.floor(p.lockTimeoutSeconds))}`,
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'Dpkg::Options::=--force-confold',
      'install',
      ...p.pins,
    ],
    ctx,
    {
      stream: true,
      onStatus: (e) => {
        tally.feed(e);
        if (e.kind === 'dlstatus') ctx.progress({ kind: 'os', phase: 'download', message: e.message });
        else if (e.kind === 'pmstatus' && e.subject !== 'dpkg-exec')
          ctx.progress({
            kind: 'os',
            phase: p.phase,
            items: Math.min(tally.done.size, total),
            itemsTotal: total,
            message: e.message,
          });
      },
    },
  );
  await throwIfAptFailed(run, target);
}
