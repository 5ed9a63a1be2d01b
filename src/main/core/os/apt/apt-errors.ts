import { join } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';
import type { AptRun } from './apt-run';
import type { AptTarget } from './apt-target';
import { describeHolders, findLockHolders } from './lock-holder';

// What a failed (or warned) apt/dpkg run means, in the catalogue's codes. apt's messages are read in the C locale
// (apt-env.ts), the only form we parse. The lock case names the holder from /proc (lock-holder.ts), not from apt's
// text, so it holds for dpkg run directly too.

export type AptProblem =
  | { kind: 'lock'; file?: string }
  | { kind: 'sources-broken'; detail: string }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'interrupted'; detail: string }
  | { kind: 'failed'; detail: string };

const LAST_LINES = 6;

/** The problem in RUN's output, if any. Unreachable sources leave apt-get update at exit 0, so warnings count. */
export function classifyAptOutput(
  run: Pick<AptRun, 'stdout' | 'stderr' | 'exitCode'>,
): AptProblem | undefined {
  const text = `${run.stderr}\n${run.stdout}`;
  const lock =
    /Could not get lock (\S+?)\.? It is held/.exec(text) ??
    /Unable to acquire the dpkg frontend lock \((\S+)\)/.exec(text) ??
    /Could not get lock (\S+?)\.?\s/.exec(text) ??
    /dpkg (?:frontend )?lock (?:was locked|is locked) by another process/.exec(text);
  if (lock) return { kind: 'lock', ...(lock[1] ? { file: lock[1] } : {}) };
  const broken = text
    .split('\n')
    .filter((l) =>
      /^E: (Malformed (entry|line)|Type '.*' is not known|Invalid value|Conflicting values)/.test(l),
    );
  if (broken.length) return { kind: 'sources-broken', detail: broken.map((l) => l.slice(3)).join('; ') };
  if (/dpkg was interrupted/.test(text))
    return { kind: 'interrupted', detail: 'dpkg says an earlier run was interrupted' };
  const fetch = text
    .split('\n')
    .filter((l) => /^[WE]: Failed to fetch /.test(l))
    .map((l) => l.slice(3).replace(/\s+/g, ' '));
  if (fetch.length) return { kind: 'unreachable', detail: fetch.join('; ') };
  if (run.exitCode !== 0) {
    const errors = text.split('\n').filter((l) => /^(E:|dpkg: error)/.test(l));
    const tail = errors.length ? errors : text.trim().split('\n').slice(-LAST_LINES);
    return { kind: 'failed', detail: tail.join(' | ') };
  }
  return undefined;
}

/** Throws the catalogue error for RUN's problem; returns when there is none. */
export async function throwIfAptFailed(run: AptRun, target: AptTarget): Promise<void> {
  const p = classifyAptOutput(run);
  if (!p) return;
  switch (p.kind) {
    case 'lock': {
      const files = [join(target.admindir, 'lock-frontend'), join(target.admindir, 'lock')];
      const holders = await findLockHolders(p.file && !files.includes(p.file) ? [p.file, ...files] : files);
      throw new KintsugiError(
        'OS_LOCK_HELD',
        holders.length
          ? describeHolders(holders)
          : `${p.file ?? files[0]} is locked, and the holder has already gone: retry`,
      );
    }
    case 'sources-broken':
      throw new KintsugiError('OS_SOURCES_BROKEN', p.detail);
    case 'unreachable':
      throw new KintsugiError('OS_SOURCES_UNREACHABLE', p.detail);
    case 'interrupted':
      throw new KintsugiError('OS_INTERRUPTED', p.detail);
    case 'failed':
      throw new KintsugiError('OS_APT_FAILED', `${run.command}: ${p.detail}`);
  }
}
