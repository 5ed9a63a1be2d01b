import { displayPath, toBytePath, type BytePath } from './byte-path';
import { under } from './copy-walk';
import type { HashPool } from './hash-pool';
import { visitTree } from './visit-tree';

// A copy the app built itself (link-plan.ts: its links, then rsync over a list) against its source, every
// folder of the copy read beside the same folder of the source on the pool's workers, four at a time: which
// entries exist on one side only, and which regular files' size, mode, owner or mtime differ. What the plan
// linked or listed is the source as the plan saw it; this sees what the copy holds now (a linked inode changed
// since, an entry added to the copy) and a source that changed since.

export interface TreeCheck {
  /** Entries on one side only: the first 20, printable ("x: only in the copy"), and how many in all. */
  problems: string[];
  count: number;
  /** Regular files whose attributes differ (the first DIFFER_MAX, byte paths), and how many in all. */
  differ: BytePath[];
  differCount: number;
}

const WIDTH = 4;
/** Enough to name them through rsync's comparison; a copy with more is wrong enough to report by count. */
const DIFFER_MAX = 1000;

export async function checkTree(
  pool: HashPool,
  roots: { copy: string; source: string },
  skipAtRoot: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<TreeCheck> {
  const copy = toBytePath(roots.copy);
  const source = toBytePath(roots.source);
  const result: TreeCheck = { problems: [], count: 0, differ: [], differCount: 0 };
  const problem = (path: BytePath, what: string) => {
    result.count++;
    if (result.problems.length < 20) result.problems.push(`${displayPath(path)}: ${what}`);
  };
  await visitTree<BytePath>('', WIDTH, async (rel) => {
    if (signal.aborted) throw signal.reason;
    const folder = await pool.folderCheck(under(copy, rel), under(source, rel));
    const path = (name: BytePath) => (rel ? `${rel}/${name}` : name);
    const skip = (name: BytePath) => !rel && skipAtRoot.has(name);
    if (folder.gone) {
      problem(rel || '.', 'gone from the source');
      return [];
    }
    const copyOnly = new Set(folder.copyOnly);
    for (const name of copyOnly) if (!skip(name)) problem(path(name), 'only in the copy');
    for (const name of folder.sourceOnly!) if (!skip(name)) problem(path(name), 'missing from the copy');
    for (const name of folder.differ) {
      if (skip(name)) continue;
      result.differCount++;
      if (result.differ.length < DIFFER_MAX) result.differ.push(path(name));
    }
    return folder.entries
      .filter(([name, kind]) => kind === 'd' && !copyOnly.has(name) && !skip(name))
      .map(([name]) => path(name));
  });
  return result;
}
