import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { CommitLine } from '../../../shared/repo/model';
import { git, nulRecords } from './git';
import { parsePorcelainV2, type PorcelainStatus } from './porcelain-status';

// Small reads every repo operation starts from: is there a clone, where HEAD is, what is dirty, which commits lie
// between two revisions. All offline.

/** Throws REPO_NOT_CLONED unless CLONE is the top of a git work tree. */
export async function requireClone(cloneDir: string): Promise<void> {
  if (!(await isClone(cloneDir)))
    throw new KintsugiError('REPO_NOT_CLONED', `no git clone at ${cloneDir}`, {
      hint: 'Clone it: `kintsugi repo clone` (the remote is the setting repoRemote, or --remote URL).',
    });
}

export async function isClone(cloneDir: string): Promise<boolean> {
  const st = await stat(join(cloneDir, '.git')).catch(() => null);
  return st !== null;
}

export async function porcelain(cloneDir: string): Promise<PorcelainStatus> {
  const r = await git(cloneDir, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all']);
  return parsePorcelainV2(r.stdout);
}

const LOG_FORMAT = '--format=%H%x00%h%x00%ct%x00%s';

/** Commits in RANGE (`a..b`), newest first. */
export async function commitsIn(cloneDir: string, range: string, max = 200): Promise<CommitLine[]> {
  const r = await git(cloneDir, ['log', '-z', LOG_FORMAT, `--max-count=${max}`, range, '--']);
  return nulRecords(r.stdout, 4).map(([hash, short, time, subject]) => ({
    hash: hash!,
    short: short!,
    time: Number(time),
    subject: subject!,
  }));
}

export async function headCommit(cloneDir: string): Promise<CommitLine | null> {
  const r = await git(cloneDir, ['log', '-z', LOG_FORMAT, '--max-count=1', 'HEAD', '--'], { okCodes: [128] });
  const [rec] = nulRecords(r.stdout, 4);
  return rec ? { hash: rec[0]!, short: rec[1]!, time: Number(rec[2]), subject: rec[3]! } : null;
}

/** The full hash REV names, or null (never throws for an unknown name). */
export async function resolveCommit(cloneDir: string, rev: string): Promise<string | null> {
  const r = await git(cloneDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    okCodes: [1, 128],
  });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** When the clone last fetched: FETCH_HEAD's mtime (any fetch, ours or the person's own), null if never. */
export async function lastFetchAt(cloneDir: string): Promise<number | null> {
  const r = await git(cloneDir, ['rev-parse', '--git-path', 'FETCH_HEAD']);
  const st = await stat(join(cloneDir, r.stdout.trim())).catch(() => null);
  return st ? st.mtimeMs : null;
}

/** A tag pointing at HEAD (the newest by version order), if any. */
export async function tagAtHead(cloneDir: string): Promise<string | undefined> {
  const r = await git(cloneDir, ['tag', '--points-at', 'HEAD', '--sort=-version:refname']);
  return r.stdout.split('\n').find(Boolean);
}

/** Where `unpin` returns: the branch recorded at pin time, else the remote's default branch. */
export async function pinnedFrom(cloneDir: string): Promise<string | undefined> {
  const rec = await git(cloneDir, ['config', '--local', '--get', PINNED_FROM_KEY], { okCodes: [1] });
  if (rec.exitCode === 0 && rec.stdout.trim()) return rec.stdout.trim();
  const head = await git(cloneDir, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], {
    okCodes: [1, 128],
  });
  return head.exitCode === 0 ? head.stdout.trim().replace(/^origin\//, '') : undefined;
}

/** Kept in the clone's own config, so a pin survives the app's state being reset. */
export const PINNED_FROM_KEY = 'kintsugi.pinnedFrom';

export async function remoteUrlOf(cloneDir: string): Promise<string | undefined> {
  const r = await git(cloneDir, ['remote', 'get-url', 'origin'], { okCodes: [2, 128] });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}
