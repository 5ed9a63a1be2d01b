import { displayPath, toBytePath, type BytePath } from './byte-path';
import type { ChecksumPassResult } from './checksum-pass';
import { createIndexWriter, readIndexBatches, type IndexEntry } from './file-index';
import type { HashPool } from './hash-pool';

// The checksum pass of a backup whose unchanged files the app linked itself (link-plan.ts): the plan, in the
// index's order, is turned into the index. A linked file keeps the checksum the plan carried (no read: it is the
// previous backup's inode, its source unchanged since that backup verified it); every file left to rsync is read
// on both sides, the copy hashed and the source compared with it byte for byte (hash-pool.ts `compare`), and
// whether rsync linked it rather than writing it is noted (a stale link when the bytes differ: its ctime moved,
// size and mtime did not, so rsync's quick check linked the old bytes).

export interface ListedPassOptions {
  source: string;
  copy: string;
  /** The previous backup the plan linked from: a file rsync linked too is that inode. */
  previous: string;
  planPath: string;
  indexPath: string;
  pool: HashPool;
  signal: AbortSignal;
  onFile?: (bytes: number) => void;
}

type Outcome = { entry: IndexEntry; linked: boolean; problem?: string };

/** Files read at once on the pool (their reads overlap; the index is still written in order). */
const WINDOW = 32;

export async function listedPass(opts: ListedPassOptions): Promise<ChecksumPassResult> {
  const writer = await createIndexWriter(opts.indexPath);
  const source = toBytePath(opts.source);
  const copy = toBytePath(opts.copy);
  const previous = toBytePath(opts.previous);
  const r: ChecksumPassResult = {
    index: { sha256: '', entries: 0, bytes: 0 },
    hashedFiles: 0,
    hashedBytes: 0,
    inheritedFiles: 0,
    inheritedBytes: 0,
    linkedBytes: 0,
    newBytes: 0,
    mismatches: [],
    mismatchCount: 0,
    staleLinks: [],
    nameProblems: [],
    nameProblemCount: 0,
  };

  const read = async (planned: IndexEntry): Promise<Outcome> => {
    const { path } = planned;
    let c;
    try {
      c = await opts.pool.compare(`${source}/${path}`, `${copy}/${path}`, `${previous}/${path}`);
    } catch (err) {
      // Gone since the plan saw it (a live source): rsync said it vanished and copied nothing.
      if (!/^ENOENT/.test((err as Error).message)) throw err;
      return { entry: planned, linked: false, problem: 'gone from the source' };
    }
    const entry: IndexEntry = { ...planned, size: c.size, sha256: c.sha256 };
    return c.equal
      ? { entry, linked: c.linked === true }
      : { entry, linked: c.linked === true, problem: 'content differs' };
  };
  const count = (o: Outcome): Promise<void> | undefined => {
    const { entry } = o;
    if (entry.how === 'inherited') {
      r.inheritedFiles++;
      r.inheritedBytes += entry.size;
    } else {
      r.hashedFiles++;
      r.hashedBytes += entry.size;
    }
    if (o.linked) r.linkedBytes += entry.size;
    else r.newBytes += entry.size;
    if (o.problem) {
      r.mismatchCount++;
      if (r.mismatches.length < 20) r.mismatches.push(`${displayPath(entry.path)} (${o.problem})`);
      if (o.linked && o.problem === 'content differs') r.staleLinks.push(entry.path);
    }
    opts.onFile?.(entry.size);
    return writer.add(entry);
  };

  // Outcomes are counted and written in plan order; up to WINDOW reads in flight meanwhile. An inherited file
  // is an outcome at once (no promise: most files of an unchanged backup).
  const window: (Outcome | Promise<Outcome>)[] = [];
  const drain = async (upTo: number) => {
    while (window.length > upTo || (window.length > 0 && !(window[0] instanceof Promise))) {
      const head = window.shift()!;
      const w = count(head instanceof Promise ? await head : head);
      if (w) await w;
    }
  };
  try {
    for await (const batch of readIndexBatches(opts.planPath)) {
      if (opts.signal.aborted) throw opts.signal.reason;
      for (const planned of batch) {
        if (planned.how === 'inherited') window.push({ entry: planned, linked: true });
        else {
          const o = read(planned);
          o.catch(() => undefined); // awaited in turn; handled if the pass fails first
          window.push(o);
        }
        await drain(WINDOW - 1);
      }
    }
    await drain(0);
    r.index = await writer.close();
  } catch (err) {
    window.length = 0;
    await writer.abort();
    throw err;
  }
  return r;
}

export type { BytePath };
