import { displayPath, toBytePath, type BytePath } from './byte-path';
import { under } from './copy-walk';
import type { HashPool } from './hash-pool';
import { visitTree } from './visit-tree';

// Which entries exist on one side only, for a copy the app built itself (link-plan.ts: its links, then rsync
// over a list): every folder of the copy read beside the same folder of the source, names only (no lstat per
// file), four folders at a time on the pool's workers. What the plan linked or listed is the source as the plan
// saw it; this sees what the copy holds now (an entry added to it or lost), and a source that gained or lost an
// entry since. The files' attributes are the plan's to prove (a linked file) and rsync's metadata pass's (the
// rest); a lstat of both sides per file here cost more than the rest of an unchanged backup's verify.

export interface TreeCheck {
  /** Entries on one side only: the first 20, printable ("x: only in the copy"), and how many in all. */
  problems: string[];
  count: number;
}

const WIDTH = 4;

export async function checkTree(
  pool: HashPool,
  roots: { copy: string; source: string },
  skipAtRoot: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<TreeCheck> {
  const copy = toBytePath(roots.copy);
  const source = toBytePath(roots.source);
  const result: TreeCheck = { problems: [], count: 0 };
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
    return folder.entries
      .filter(([name, kind]) => kind === 'd' && !copyOnly.has(name) && !skip(name))
      .map(([name]) => path(name));
  });
  return result;
}
