import { displayPath, toBytePath, type BytePath } from './byte-path';
import { LISTING_MAX, type CopyFileFacts, type CopyFolder, type HashPool } from './hash-pool';

// The verify's one walk of a fresh copy (checksum-pass.ts), folder by folder on the hash pool's workers: each
// folder of the copy is read beside the same folder of the source and of the previous backup in one message
// (hash-pool.ts `folder`), which answers at once which entries exist on one side only (an incremental verify's
// names check, instead of rsync's --delete pass), which entries are not regular files (rsync's metadata
// comparison gets those) and, for each regular file, what deciding "inherit or read" needs. It replaced three
// walks: the copy's folders read twice on the main thread, the source's names and stats fetched per folder
// separately, and two lstats per file on the main thread (most of an unchanged backup's verify).
// Files come out in the index's order (comparePaths: depth first, each folder's names by their bytes), in runs.

export interface CopyFile<F = CopyFileFacts> {
  /** Byte path relative to the roots. */
  path: BytePath;
  facts: F;
}

export interface CopyWalkEvents {
  /** An entry of the copy that is not a regular file (".": the root itself), for rsync's metadata comparison. */
  onOther(path: BytePath, kind: 'd' | 'o'): void;
  /** An entry only one side has, or a folder gone from the source. */
  onProblem(path: BytePath, what: string): void;
}

/** Where a walk reads its folders: one message per folder, and a big folder's file facts a chunk at a time. */
export interface FolderReader<F> {
  folder(rel: BytePath): Promise<CopyFolder<F>>;
  files(rel: BytePath, names: BytePath[]): Promise<F[]>;
}

/** Folders asked for ahead of the walk: the workers read the next ones while the caller handles this one's files. */
const AHEAD = 16;

/** Joins a root and a relative byte path; '' (no such tree) stays ''. */
export const under = (root: BytePath, rel: BytePath): BytePath =>
  root === '' ? '' : rel ? `${root}/${rel}` : root;

export function walkCopy(
  pool: HashPool,
  roots: { copy: string; source: string; previous?: string },
  skipAtRoot: ReadonlySet<string>,
  signal: AbortSignal,
  events: CopyWalkEvents,
): AsyncGenerator<CopyFile[]> {
  const copy = toBytePath(roots.copy);
  const source = toBytePath(roots.source);
  const prev = roots.previous === undefined ? '' : toBytePath(roots.previous);
  return walkTree(
    {
      folder: (rel) => pool.folder(under(copy, rel), under(source, rel), under(prev, rel)),
      files: (rel, names) => pool.folderFiles(under(copy, rel), under(source, rel), under(prev, rel), names),
    },
    skipAtRoot,
    signal,
    events,
  );
}

/**
 * The walk itself, over any tree a FolderReader reads (a copy beside its source, or a source alone: the link
 * plan, link-plan.ts): depth first, each folder's entries by their bytes, its files in runs.
 */
export async function* walkTree<F extends { name: BytePath }>(
  reader: FolderReader<F>,
  skipAtRoot: ReadonlySet<string>,
  signal: AbortSignal,
  events: CopyWalkEvents,
): AsyncGenerator<CopyFile<F>[]> {
  const ahead = new Map<BytePath, Promise<CopyFolder<F>>>();
  const ask = (rel: BytePath) => {
    const p = reader.folder(rel);
    p.catch(() => undefined); // awaited when its turn comes; a walk that stopped early must not leave it unhandled
    ahead.set(rel, p);
    return p;
  };

  // The folders of the path being walked, each with its subfolders and how many of them were asked for: the
  // next ones in walk order are the deepest level's, then its parent's (so the workers stay ahead of the walk).
  const levels: { dirs: BytePath[]; next: number }[] = [];
  const topUp = () => {
    for (let d = levels.length - 1; d >= 0 && ahead.size < AHEAD; d--) {
      const level = levels[d]!;
      while (ahead.size < AHEAD && level.next < level.dirs.length) ask(level.dirs[level.next++]!);
    }
  };

  events.onOther('.', 'd');
  async function* walk(rel: BytePath): AsyncGenerator<CopyFile<F>[]> {
    if (signal.aborted) throw signal.reason;
    const reply = ahead.get(rel) ?? ask(rel);
    ahead.delete(rel);
    topUp();
    const folder = await reply;
    const path = (name: BytePath) => (rel ? `${rel}/${name}` : name);
    const skip = (name: BytePath) => !rel && skipAtRoot.has(name);
    if (folder.gone) return events.onProblem(rel || '.', 'gone from the source');
    const copyOnly = new Set(folder.copyOnly);
    for (const name of folder.copyOnly!) if (!skip(name)) events.onProblem(path(name), 'only in the copy');
    for (const name of folder.sourceOnly!)
      if (!skip(name)) events.onProblem(path(name), 'missing from the copy');
    // The files the worker described: every regular file both sides have, reserved names included.
    const entries = folder.entries.filter(([name]) => !copyOnly.has(name));
    const level = {
      dirs: entries.filter(([name, kind]) => kind === 'd' && !skip(name)).map(([name]) => path(name)),
      next: 0,
    };
    levels.push(level);
    topUp();
    const facts = folder.files ?? chunked(reader, rel, entries);
    let file = 0;
    let dir = 0;
    // Files come out in runs (a folder's files up to its next subfolder, at most LISTING_MAX): one await per
    // run, not per file (an async generator's yield costs a promise at every level of the walk).
    let run: CopyFile<F>[] = [];
    for (const [name, kind] of entries) {
      const i = kind === 'f' ? file++ : -1;
      if (skip(name)) continue;
      if (kind === 'f') {
        const f = Array.isArray(facts) ? facts[i]! : await facts(i);
        if (f.name !== name)
          throw new Error(`the verify's walk lost its place at ${displayPath(path(name))}`);
        run.push({ path: path(name), facts: f });
        if (run.length >= LISTING_MAX) {
          yield run;
          run = [];
        }
        continue;
      }
      events.onOther(path(name), kind);
      if (kind !== 'd') continue;
      if (run.length > 0) {
        yield run;
        run = [];
      }
      // Not asked for yet (the look-ahead was full): walk() asks for it now, so topUp must not.
      level.next = Math.max(level.next, ++dir);
      yield* walk(path(name));
    }
    if (run.length > 0) yield run;
    levels.pop();
  }
  try {
    yield* walk('');
  } finally {
    ahead.clear();
  }
}

/** A folder above LISTING_MAX files: their facts asked for a chunk at a time, as the walk reaches them. */
function chunked<F>(
  reader: FolderReader<F>,
  rel: BytePath,
  entries: [BytePath, 'f' | 'd' | 'o'][],
): (i: number) => Promise<F> {
  const names = entries.filter(([, kind]) => kind === 'f').map(([name]) => name);
  let chunk: { start: number; facts: Promise<F[]> } | undefined;
  return async (i) => {
    if (!chunk || i < chunk.start || i >= chunk.start + LISTING_MAX) {
      const start = i - (i % LISTING_MAX);
      chunk = { start, facts: reader.files(rel, names.slice(start, start + LISTING_MAX)) };
    }
    const facts = await chunk.facts;
    return facts[i - chunk.start]!;
  };
}
