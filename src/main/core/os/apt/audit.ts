import type { OsInterrupted } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import { throwIfAptFailed } from './apt-errors';
import { runApt } from './apt-run';
import { openAptTarget, type AptTarget } from './apt-target';

// An apply killed half-way leaves packages unpacked but not configured (or half-installed); `dpkg --audit` lists
// them and prints nothing on a healthy database. The next status or check shows it, with the fix, and apply and
// rollback refuse until it is done. configurePending runs that fix (the plumbing wires it to a job and a button).

export const INTERRUPTED_FIX = 'dpkg --configure -a';
const SHOWN_LINES = 12;

export async function auditDpkg(target: AptTarget, ctx: JobContext): Promise<OsInterrupted | undefined> {
  const run = await runApt(target, 'dpkg', [...target.dpkgArgs, '--audit'], ctx);
  const text = run.stdout.trim();
  if (!text) {
    await throwIfAptFailed(run, target);
    return undefined;
  }
  return { detail: text.split('\n').slice(0, SHOWN_LINES).join('\n'), fix: INTERRUPTED_FIX };
}

/** Runs `dpkg --configure -a` on ROOT; returns whether the database is healthy afterwards (audit is empty). */
export async function configurePending(
  opts: { root: string },
  ctx: JobContext,
): Promise<{ ran: string; interrupted?: OsInterrupted }> {
  const target = await openAptTarget(opts.root);
  try {
    const run = await runApt(
      target,
      'dpkg',
      [...target.dpkgArgs, '--force-confdef', '--force-confold', '--configure', '-a'],
      ctx,
      { stream: true },
    );
    await throwIfAptFailed(run, target);
    const left = await auditDpkg(target, ctx);
    return { ran: run.command, ...(left ? { interrupted: left } : {}) };
  } finally {
    await target.dispose();
  }
}
