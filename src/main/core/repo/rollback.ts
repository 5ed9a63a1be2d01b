import { KintsugiError } from '../../../shared/errors';
import { confirmsDiscard } from '../../../shared/repo/confirm';
import { DISCARD_WORD } from '../../../shared/repo/contract';
import type { MoveResult, ReflogEntry } from '../../../shared/repo/model';
import { porcelain, requireClone, resolveCommit, tagAtHead } from './clone-state';
import { git, nulRecords } from './git';
import { changedFiles } from './preview';

// Roll back to an earlier HEAD from the reflog: on a branch the branch moves back (a later pull fast-forwards it
// again); when pinned, HEAD moves. Only commits HEAD has been at are accepted. Uncommitted changes survive a
// rollback unless the person typed DISCARD: without it, changes in the way stop it (reset --keep refuses).

export async function reflogEntries(cloneDir: string, max = 50): Promise<ReflogEntry[]> {
  await requireClone(cloneDir);
  const r = await git(
    cloneDir,
    ['log', '-g', '-z', `--max-count=${max}`, '--format=%gd%x00%H%x00%h%x00%gs%x00%ct%x00%s', 'HEAD', '--'],
    { okCodes: [128] },
  );
  return nulRecords(r.stdout, 6).map(([selector, hash, short, action, time, subject]) => ({
    selector: selector!,
    hash: hash!,
    short: short!,
    action: action!,
    time: Number(time),
    subject: subject!,
  }));
}

export async function rollbackTo(cloneDir: string, ref: string, typed?: string): Promise<MoveResult> {
  await requireClone(cloneDir);
  const target = await resolveCommit(cloneDir, ref);
  const history = await reflogEntries(cloneDir, 1000);
  if (!target || !history.some((e) => e.hash === target))
    throw new KintsugiError('REPO_REF_NOT_FOUND', `${ref} is not an earlier HEAD of the clone`, {
      hint: 'Choose one from `kintsugi repo rollback` (it lists the reflog).',
    });
  const st = await porcelain(cloneDir);
  const changed = new Set((await changedFiles(cloneDir, 'HEAD', target)).map((f) => f.path));
  const wouldLose = st.dirty.filter((d) => changed.has(d.path)).map((d) => d.path);
  const discard = wouldLose.length > 0;
  if (discard && !confirmsDiscard(typed))
    throw new KintsugiError(
      'REPO_DIRTY',
      `rolling back would lose uncommitted changes in: ${wouldLose.join(', ')}; type ${DISCARD_WORD} to lose them`,
    );
  const from = st.oid ?? '';
  // Without a conflict, --keep / a plain switch carry uncommitted changes across; --hard only when typed.
  if (st.branch !== null) await git(cloneDir, ['reset', discard ? '--hard' : '--keep', target]);
  else
    await git(cloneDir, ['switch', '--quiet', '--detach', ...(discard ? ['--discard-changes'] : []), target]);
  const tag = await tagAtHead(cloneDir);
  return { from, to: target, branch: st.branch, ...(tag ? { tag } : {}) };
}
