import { displayPath, toBytePath, type BytePath } from './byte-path';
import { IndexDamaged, comparePaths, readIndex, type IndexEntry, type IndexExpect } from './file-index';
import { createHashPool, orderedPool } from './hash-pool';
import { RESERVED_NAMES } from './manifest';
import { walkFiles } from './walk-files';

// A tree checked against an index: every listed file present, of its recorded size and sha256. Used on a backup
// itself (`backup check`: files not in the index are problems too) and on a restored tree (extra files are the
// target's own). Problems name the file (printable: byte-path.ts displayPath): that is what the user needs
// before relying on the copy.

export interface TreeCheck {
  files: number;
  bytes: number;
  /** First 20 problems, "path: what", and how many in all. */
  problems: string[];
  problemCount: number;
}

export interface TreeCheckOptions {
  extraIsProblem: boolean;
  signal?: AbortSignal;
  onFile?: (bytes: number) => void;
}

type Item = { path: BytePath; entry?: IndexEntry; onDisk: boolean };

export async function checkTreeAgainstIndex(
  dir: string,
  index: IndexExpect & { path: string },
  opts: TreeCheckOptions,
): Promise<TreeCheck> {
  const result: TreeCheck = { files: 0, bytes: 0, problems: [], problemCount: 0 };
  const problem = (p: string) => {
    result.problemCount++;
    if (result.problems.length < 20) result.problems.push(p);
  };
  const pool = createHashPool();
  const root = toBytePath(dir);
  const one = async (item: Item): Promise<string | undefined> => {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const name = displayPath(item.path);
    if (!item.entry) return `${name}: not in the manifest`;
    const abs = `${root}/${item.path}`;
    // Through the pool's workers: a restore's target is a drive that may stop answering (hash-pool.ts).
    const st = await pool.stat(abs);
    if (!st) return `${name}: missing`;
    if (!st.isFile) return `${name}: not a regular file`;
    if (st.size !== item.entry.size)
      return `${name}: ${st.size < item.entry.size ? 'truncated' : 'grown'} (${st.size} bytes, ${item.entry.size} recorded)`;
    const h = await pool.hash(abs);
    opts.onFile?.(h.size);
    if (h.sha256 !== item.entry.sha256) return `${name}: content differs from its recorded sha256`;
    result.files++;
    result.bytes += h.size;
    return undefined;
  };
  try {
    const items = opts.extraIsProblem
      ? mergeWithDisk(readIndex(index.path, index), walkFiles(dir, RESERVED_NAMES))
      : onlyListed(readIndex(index.path, index));
    await orderedPool(items, 8, one, async (p) => {
      if (p) problem(p);
    });
  } catch (err) {
    if (err instanceof IndexDamaged) {
      problem(`the manifest's file list: ${err.message}`);
      return result;
    }
    throw err;
  } finally {
    await pool.close();
  }
  return result;
}

async function* onlyListed(entries: AsyncGenerator<IndexEntry>): AsyncGenerator<Item> {
  for await (const entry of entries) yield { path: entry.path, entry, onDisk: true };
}

/** A merge join of the index and the walk, both in comparePaths order. */
async function* mergeWithDisk(
  entries: AsyncGenerator<IndexEntry>,
  disk: AsyncGenerator<BytePath>,
): AsyncGenerator<Item> {
  let e = await entries.next();
  let d = await disk.next();
  while (!e.done || !d.done) {
    const c = e.done ? 1 : d.done ? -1 : comparePaths(e.value.path, d.value);
    if (c === 0) {
      yield { path: d.value as BytePath, entry: e.value as IndexEntry, onDisk: true };
      [e, d] = await Promise.all([entries.next(), disk.next()]);
    } else if (c < 0) {
      yield { path: (e.value as IndexEntry).path, entry: e.value as IndexEntry, onDisk: false };
      e = await entries.next();
    } else {
      yield { path: d.value as BytePath, onDisk: true };
      d = await disk.next();
    }
  }
}
