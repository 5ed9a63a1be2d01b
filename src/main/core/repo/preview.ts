import { KintsugiError } from '../../../shared/errors';
import type { ChangedFile, PullPreview } from '../../../shared/repo/model';
import { commitsIn, lastFetchAt, porcelain } from './clone-state';
import { git, nulRecords } from './git';

// What a fast-forward pull would bring, from what the last fetch left in the clone: the commits, the files they
// change, the local commits that would block a fast-forward and the uncommitted files it would overwrite.
// Offline; `repo check` fetches first.

export async function pullPreview(cloneDir: string): Promise<PullPreview> {
  const st = await porcelain(cloneDir);
  if (st.branch === null)
    throw new KintsugiError(
      'REPO_DETACHED',
      `${cloneDir} is pinned (detached HEAD): there is no branch to pull`,
    );
  if (!st.upstream)
    throw new KintsugiError(
      'REPO_NO_UPSTREAM',
      `branch ${st.branch} of ${cloneDir} follows no remote branch`,
    );
  const upstream = st.upstream;
  const [incoming, localCommits, files, fetched] = await Promise.all([
    commitsIn(cloneDir, `HEAD..${upstream}`),
    commitsIn(cloneDir, `${upstream}..HEAD`),
    changedFiles(cloneDir, 'HEAD', upstream),
    lastFetchAt(cloneDir),
  ]);
  const changed = new Set(files.map((f) => f.path));
  return {
    upstream,
    behind: st.behind,
    ahead: st.ahead,
    incoming,
    files,
    localCommits,
    fastForward: st.ahead === 0,
    dirtyInWay: st.dirty.filter((d) => changed.has(d.path)).map((d) => d.path),
    lastFetchAt: fetched,
  };
}

/** Files that differ between FROM and TO (renames listed under their new path, the old one as a deletion). */
export async function changedFiles(cloneDir: string, from: string, to: string): Promise<ChangedFile[]> {
  const r = await git(cloneDir, ['diff', '--name-status', '--no-renames', '-z', from, to, '--']);
  return nulRecords(r.stdout, 2).map(([status, path]) => ({ status: status!, path: path! }));
}
