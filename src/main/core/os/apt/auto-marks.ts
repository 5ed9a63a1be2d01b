import type { JobContext } from '../../jobs/context';
import { throwIfAptFailed } from './apt-errors';
import { runApt } from './apt-run';
import type { AptTarget } from './apt-target';

// `apt-get install NAME=VERSION` marks every named package as manually installed, even one that only came in as a
// dependency: `apt autoremove` would then keep it forever (old kernels piling up in /boot). So the packages that
// were automatically installed before an apply or rollback are marked so again after it, and a package the update
// newly installed (a new kernel ABI pulled in by a meta package) is marked automatic too.

export async function autoInstalled(target: AptTarget, ctx: JobContext): Promise<Set<string>> {
  const run = await runApt(target, 'apt-mark', ['showauto'], ctx);
  await throwIfAptFailed(run, target);
  return new Set(
    run.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

export async function markAuto(target: AptTarget, names: readonly string[], ctx: JobContext): Promise<void> {
  if (!names.length) return;
  const run = await runApt(target, 'apt-mark', ['auto', ...names], ctx);
  await throwIfAptFailed(run, target);
}
