import { KintsugiError } from '../../../shared/errors';
import type { CommitLine, PullResult } from '../../../shared/repo/model';
import type { JobContext } from '../jobs/context';
import { porcelain, requireClone, resolveCommit } from './clone-state';
import { fetchOrigin } from './fetch';
import { git } from './git';
import { pullPreview } from './preview';

// `repo pull`: fetch, then fast-forward only. Nothing moves unless it can move without losing anything: local
// commits off the remote stop it (REPO_DIVERGED, naming them) unless the person typed a branch to keep them on;
// uncommitted files the pull would overwrite stop it (REPO_DIRTY_IN_WAY, naming them) unless they asked to stash.
// Never a merge commit, never a rebase, never a plain reset.

export interface PullOptions {
  stash: boolean;
  moveLocalTo?: string;
}

export async function pullFastForward(
  cloneDir: string,
  opts: PullOptions,
  ctx: JobContext,
): Promise<Omit<PullResult, 'staleCopies'>> {
  await requireClone(cloneDir);
  // Refuse a pinned clone before spending the network on it.
  if ((await porcelain(cloneDir)).branch === null)
    throw new KintsugiError(
      'REPO_DETACHED',
      `${cloneDir} is pinned (detached HEAD): there is no branch to pull`,
    );
  await fetchOrigin(cloneDir, ctx);
  const pv = await pullPreview(cloneDir);
  const from = (await resolveCommit(cloneDir, 'HEAD')) ?? '';
  let movedLocalTo: string | undefined;
  if (!pv.fastForward) {
    if (!opts.moveLocalTo) throw diverged(cloneDir, pv.upstream, pv.localCommits);
    movedLocalTo = await keepLocalCommitsOn(cloneDir, opts.moveLocalTo, pv.upstream);
  }
  let stashed = false;
  if (pv.dirtyInWay.length) {
    if (!opts.stash)
      throw new KintsugiError(
        'REPO_DIRTY_IN_WAY',
        `the pull would overwrite uncommitted changes in: ${pv.dirtyInWay.join(', ')}`,
      );
    await git(cloneDir, [
      'stash',
      'push',
      '--include-untracked',
      '-m',
      `kintsugi: before pull of ${pv.upstream}`,
    ]);
    stashed = true;
    ctx.log('Uncommitted changes stashed: `git stash pop` in the clone brings them back.');
  }
  await git(cloneDir, ['merge', '--ff-only', '--no-edit', pv.upstream]);
  const to = (await resolveCommit(cloneDir, 'HEAD')) ?? '';
  const count =
    from === to ? 0 : Number((await git(cloneDir, ['rev-list', '--count', `${from}..${to}`])).stdout.trim());
  return { from, to, commits: count, stashed, ...(movedLocalTo ? { movedLocalTo } : {}) };
}

function diverged(cloneDir: string, upstream: string, local: CommitLine[]): KintsugiError {
  const list = local
    .slice(0, 10)
    .map((c) => `${c.short} ${c.subject}`)
    .join('; ');
  return new KintsugiError(
    'REPO_DIVERGED',
    `${cloneDir} has ${local.length} local commit${local.length === 1 ? '' : 's'} not on ${upstream}: ${list}${local.length > 10 ? '; ...' : ''}`,
    {
      hint: 'Nothing moved. Either keep them and stay where you are (do nothing), or keep them on a new branch and follow the remote: `kintsugi repo pull --move-local-to BRANCH` (then `git stash`/`git cherry-pick` as you like). Uncommitted changes can be stashed with --stash.',
    },
  );
}

/** Puts the local commits on a new branch NAME, then moves the current branch to UPSTREAM (reset --keep: it
 * refuses rather than drop an uncommitted change). The commits stay reachable on NAME. */
async function keepLocalCommitsOn(cloneDir: string, name: string, upstream: string): Promise<string> {
  const ok = await git(cloneDir, ['check-ref-format', '--branch', name], { okCodes: [1, 128] });
  if (ok.exitCode !== 0)
    throw new KintsugiError('INVALID_ARGUMENT', `${JSON.stringify(name)} is not a valid branch name`);
  if (await resolveCommit(cloneDir, `refs/heads/${name}`))
    throw new KintsugiError('INVALID_ARGUMENT', `a branch named ${name} already exists in the clone`, {
      hint: 'Choose a new branch name for the local commits.',
    });
  await git(cloneDir, ['branch', '--no-track', name, 'HEAD']);
  await git(cloneDir, ['reset', '--keep', upstream]);
  return name;
}
