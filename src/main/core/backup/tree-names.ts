import { readdir } from 'node:fs/promises';
import { displayPath, fsPath, toBytePath, type BytePath } from './byte-path';
import type { HashPool } from './hash-pool';

// Which entries exist, compared folder by folder between a source and its fresh copy: an entry only in the
// copy, or missing from it, is a difference. An incremental backup's verify uses this instead of rsync's
// --delete pass over the whole tree (verify-backup.ts), and lists for rsync's metadata comparison every entry
// that is not a regular file (folders, the root ".", symlinks, devices...): regular files are the checksum
// pass's. The copy is read here (the destination); the source only on the pool's workers (hash-pool.ts).

export interface NamesCheck {
  /** First 20 differences, printable ("x: only in the copy"), and how many in all. */
  problems: string[];
  problemCount: number;
}

export async function compareNames(
  source: string,
  copy: string,
  pool: HashPool,
  skipAtRoot: ReadonlySet<string>,
  signal: AbortSignal,
  /** Each entry of the copy that is not a regular file, as a byte path relative to the root ("." for it). */
  onOther: (path: BytePath) => void,
): Promise<NamesCheck> {
  const r: NamesCheck = { problems: [], problemCount: 0 };
  const problem = (path: BytePath, what: string) => {
    r.problemCount++;
    if (r.problems.length < 20) r.problems.push(`${displayPath(path)}: ${what}`);
  };
  const src = toBytePath(source);
  const dst = toBytePath(copy);
  onOther('.');
  const walk = async (rel: BytePath): Promise<void> => {
    if (signal.aborted) throw signal.reason;
    const [copied, original] = await Promise.all([
      readdir(fsPath(rel ? `${dst}/${rel}` : dst), { withFileTypes: true, encoding: 'latin1' }),
      pool.names(rel ? `${src}/${rel}` : src).catch(() => undefined),
    ]);
    if (!original) return problem(rel, 'gone from the source');
    const skip = (name: string) => !rel && skipAtRoot.has(name);
    const inSource = new Set(original.filter((n) => !skip(n)));
    for (const e of copied) {
      if (skip(e.name)) continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (!inSource.delete(e.name)) {
        problem(path, 'only in the copy');
        continue;
      }
      if (e.isFile()) continue;
      onOther(path);
      if (e.isDirectory()) await walk(path);
    }
    for (const name of inSource) problem(rel ? `${rel}/${name}` : name, 'missing from the copy');
  };
  await walk('');
  return r;
}
