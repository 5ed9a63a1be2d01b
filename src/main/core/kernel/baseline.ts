import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { HostManifest } from '../../../shared/kernel/model';
import { git } from '../repo/git';

// The baseline a host's patch applies on: a repository (a local path, absolute or relative to the workspace, or
// a URL fetched into a cache under out/) and a ref in it, resolved to a commit. The commit's committer time is
// the build's SOURCE_DATE_EPOCH: the same for every build of the same promote, whenever it runs.

export interface Baseline {
  /** A local git directory holding the commit (the repository itself, or the fetch cache). */
  repoDir: string;
  ref: string;
  commit: string;
  /** Committer time of the commit, seconds since the epoch. */
  committerTime: number;
}

const isUrl = (s: string) => /^(https?|git|ssh|file):\/\//.test(s) || /^[A-Za-z0-9._-]+@[^:]+:/.test(s);

export async function resolveBaseline(
  workspace: string,
  m: HostManifest,
  signal?: AbortSignal,
): Promise<Baseline> {
  const { repo, ref } = m.baseline;
  let repoDir: string;
  let rev = ref;
  if (isUrl(repo)) {
    // Only the one ref, shallow: the check needs its tree, not the history.
    repoDir = join(
      workspace,
      'out',
      '.baseline-cache',
      `${createHash('sha256').update(repo).digest('hex').slice(0, 16)}.git`,
    );
    await mkdir(repoDir, { recursive: true });
    await git(repoDir, ['init', '--quiet', '--bare'], { signal });
    await git(repoDir, ['fetch', '--quiet', '--depth=1', '--no-tags', repo, ref], {
      signal,
      okCodes: [128],
    }).then((r) => {
      if (r.exitCode !== 0)
        throw new KintsugiError(
          'KERNEL_BASELINE_MISSING',
          `could not fetch ${ref} from ${repo}: ${r.stderr.trim().split('\n').at(-1)}`,
        );
    });
    rev = 'FETCH_HEAD';
  } else {
    repoDir = isAbsolute(repo) ? repo : join(workspace, repo);
    const st = await stat(repoDir).catch(() => null);
    if (!st?.isDirectory())
      throw new KintsugiError('KERNEL_BASELINE_MISSING', `baseline.repo ${repoDir} is not a folder`);
  }
  const r = await git(repoDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    signal,
    okCodes: [1, 128],
  });
  if (r.exitCode !== 0)
    throw new KintsugiError('KERNEL_BASELINE_MISSING', `${ref} is not a commit or tag in ${repo}`);
  const commit = r.stdout.trim();
  const t = await git(repoDir, ['show', '-s', '--format=%ct', commit], { signal });
  return { repoDir, ref, commit, committerTime: Number(t.stdout.trim()) };
}
