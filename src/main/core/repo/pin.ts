import { KintsugiError } from '../../../shared/errors';
import type { MoveResult } from '../../../shared/repo/model';
import {
  pinnedFrom,
  porcelain,
  PINNED_FROM_KEY,
  requireClone,
  resolveCommit,
  tagAtHead,
} from './clone-state';
import { git } from './git';
import { changedFiles } from './preview';

// Pin: check out a release tag as a detached HEAD (the normal state of a pinned clone), remembering the branch to
// come back to in the clone's own config. Unpin: back to that branch (the job then pulls). Neither ever drops an
// uncommitted change: files the move would overwrite stop it, named.

export async function pinToTag(cloneDir: string, tag: string): Promise<MoveResult> {
  await requireClone(cloneDir);
  const target = await resolveCommit(cloneDir, `refs/tags/${tag}`);
  if (!target) {
    const tags = (await git(cloneDir, ['tag', '--sort=-version:refname'])).stdout.split('\n').filter(Boolean);
    throw new KintsugiError(
      'REPO_REF_NOT_FOUND',
      `no tag ${tag} in the clone; tags: ${tags.slice(0, 10).join(', ') || '(none)'}`,
      {
        hint: 'Fetch the tags (`kintsugi repo check`), then pin to one of them.',
      },
    );
  }
  const st = await porcelain(cloneDir);
  await refuseOverwrite(
    cloneDir,
    target,
    st.dirty.map((d) => d.path),
  );
  if (st.branch !== null) await git(cloneDir, ['config', '--local', PINNED_FROM_KEY, st.branch]);
  const from = st.oid ?? '';
  await git(cloneDir, ['switch', '--quiet', '--detach', target]);
  return { from, to: target, branch: null, tag };
}

export async function unpin(cloneDir: string): Promise<MoveResult> {
  await requireClone(cloneDir);
  const st = await porcelain(cloneDir);
  if (st.branch !== null) return { from: st.oid ?? '', to: st.oid ?? '', branch: st.branch };
  const branch = await pinnedFrom(cloneDir);
  if (!branch)
    throw new KintsugiError(
      'REPO_NO_UPSTREAM',
      'the clone is detached and no branch was recorded to return to',
      {
        hint: 'Switch to a branch yourself: `git -C CLONE switch main`.',
      },
    );
  const target =
    (await resolveCommit(cloneDir, `refs/heads/${branch}`)) ??
    (await resolveCommit(cloneDir, `refs/remotes/origin/${branch}`));
  if (!target)
    throw new KintsugiError('REPO_REF_NOT_FOUND', `branch ${branch} is neither local nor on origin`);
  await refuseOverwrite(
    cloneDir,
    target,
    st.dirty.map((d) => d.path),
  );
  await git(cloneDir, ['switch', '--quiet', branch]);
  await git(cloneDir, ['config', '--local', '--unset', PINNED_FROM_KEY], { okCodes: [5] });
  const to = (await resolveCommit(cloneDir, 'HEAD')) ?? target;
  const tag = await tagAtHead(cloneDir);
  return { from: st.oid ?? '', to, branch, ...(tag ? { tag } : {}) };
}

/** Refuses a checkout of TARGET that would overwrite one of DIRTY, naming them (git would refuse too, in words
 * we should not parse). */
export async function refuseOverwrite(cloneDir: string, target: string, dirty: string[]): Promise<void> {
  if (!dirty.length) return;
  const changed = new Set((await changedFiles(cloneDir, 'HEAD', target)).map((f) => f.path));
  const inWay = dirty.filter((p) => changed.has(p));
  if (inWay.length)
    throw new KintsugiError(
      'REPO_DIRTY_IN_WAY',
      `uncommitted changes would be overwritten in: ${inWay.join(', ')}`,
      {
        hint: 'Nothing moved. Stash them (`git -C CLONE stash -u`) or commit them, then retry.',
      },
    );
}
