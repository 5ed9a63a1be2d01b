import type { BackupManifest } from '../../../shared/model';
import { displayPath, toBytePath, type BytePath } from './byte-path';
import { walkCopy, type CopyFile } from './copy-walk';
import {
  createIndexWriter,
  indexCursor,
  readIndexBatches,
  type IndexEntry,
  type SourceSeen,
} from './file-index';
import { createHashPool, type HashPool } from './hash-pool';
import { RESERVED_NAMES, indexOf } from './manifest';

// The verify pass of a backup, file by file, writing the index as it goes. A file of the copy that is a hard
// link to the previous verified backup's file (same inode: rsync --link-dest linked it, so its bytes are the
// ones verified then) inherits that backup's checksum when its source is unchanged since (size, mtime, ctime
// and inode as recorded then). ctime matters: a file rewritten and given its old mtime back (`touch -r`) keeps
// size and mtime, so rsync links the stale copy; only its ctime tells. Every other file is read on both sides:
// the copy hashed, the source compared with it byte for byte (hash-pool.ts `compare`). Paths are byte paths.

export interface ChecksumPassOptions {
  source: string;
  copy: string;
  indexPath: string;
  previous?: { path: string; manifest: BackupManifest };
  /** Read everything, inherit nothing. */
  full: boolean;
  signal: AbortSignal;
  onFile?: (bytes: number) => void;
  /** Each file read (not inherited), as a byte path: the ones rsync's metadata comparison must still see. */
  onHashed?: (path: BytePath) => void;
  /** Each entry of the copy that is not a regular file ("." for the root): rsync's to compare (copy-walk.ts). */
  onOther?: (path: BytePath) => void;
  /** The backup's pool, already warm from measuring the source; the caller closes it. Default: a pool of its own. */
  pool?: HashPool;
}

export interface ChecksumPassResult {
  index: { sha256: string; entries: number; bytes: number };
  hashedFiles: number;
  hashedBytes: number;
  inheritedFiles: number;
  inheritedBytes: number;
  /** Bytes of files that are hard links to the previous backup (stored once for both). */
  linkedBytes: number;
  newBytes: number;
  /** Files whose copy does not hold the source's bytes (first 20, printable), and how many in all. */
  mismatches: string[];
  mismatchCount: number;
  /** Of those, the ones hard-linked from the previous backup (byte paths): a stale link, fixed by copying them again. */
  staleLinks: BytePath[];
  /** Entries only one side has (first 20, printable: "x: only in the copy"), and how many in all. */
  nameProblems: string[];
  nameProblemCount: number;
}

type Outcome = { entry: IndexEntry; linked: boolean; problem?: string };

/** Files read at once on the pool (their reads overlap; the index is still written in order). */
const WINDOW = 32;

export async function checksumPass(opts: ChecksumPassOptions): Promise<ChecksumPassResult> {
  const prevIndex = opts.full ? undefined : indexOf(opts.previous);
  const cursor = indexCursor(prevIndex ? readIndexBatches(prevIndex.path, prevIndex) : undefined);
  const writer = await createIndexWriter(opts.indexPath);
  const pool = opts.pool ?? createHashPool();
  const source = toBytePath(opts.source);
  const copy = toBytePath(opts.copy);
  const previous = opts.previous ? toBytePath(opts.previous.path) : undefined;
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

  const usePrevious = previous !== undefined && prevIndex !== undefined;
  const read = async (path: BytePath, linked: boolean, seen: SourceSeen): Promise<Outcome> => {
    const c = await pool.compare(`${source}/${path}`, `${copy}/${path}`);
    const entry: IndexEntry = { path, size: c.size, sha256: c.sha256, how: 'hashed', src: seen };
    if (!c.equal) return { entry, linked, problem: 'content differs' };
    return { entry, linked };
  };
  // Decided at once when the file inherits (no promise: that is most files of an incremental backup), a read
  // on the pool otherwise. Called in walk order: the cursor only moves forward.
  const decide = ({ path, facts }: CopyFile): Outcome | Promise<Outcome> => {
    // The copy, the previous backup and the source were stat'ed by the walk, on the pool's workers
    // (copy-walk.ts): the source, a drive that may stop answering, is never read on this thread.
    const prevEntry = usePrevious ? cursor.take(path) : undefined;
    const { linked, size, src } = facts;
    if (!src)
      return {
        entry: { path, size, sha256: '0'.repeat(64), how: 'hashed' },
        linked,
        problem: 'gone from the source',
      };
    const seen: SourceSeen = { size: src.size, mtimeNs: src.mtimeNs, ctimeNs: src.ctimeNs, ino: src.ino };
    // Inherited: the copy is the previous backup's inode (its bytes, mode, owner, times, xattrs and ACLs were
    // proven equal to this source then), the source is unchanged since (ctime moves with any change to its
    // data or attributes), and what can be read cheaply agrees: size, mode, owner, mtime (facts.same).
    if (linked && prevEntry?.src && sameSource(prevEntry.src, seen) && prevEntry.size === size && facts.same)
      return { entry: { path, size, sha256: prevEntry.sha256, how: 'inherited', src: seen }, linked };
    return read(path, linked, seen);
  };
  const count = (o: Outcome): Promise<void> | undefined => {
    if (o.entry.how === 'inherited') {
      r.inheritedFiles++;
      r.inheritedBytes += o.entry.size;
    } else {
      r.hashedFiles++;
      r.hashedBytes += o.entry.size;
      opts.onHashed?.(o.entry.path);
    }
    if (o.linked) r.linkedBytes += o.entry.size;
    else r.newBytes += o.entry.size;
    if (o.problem) {
      r.mismatchCount++;
      if (r.mismatches.length < 20) r.mismatches.push(`${displayPath(o.entry.path)} (${o.problem})`);
      if (o.linked && o.problem === 'content differs') r.staleLinks.push(o.entry.path);
    }
    opts.onFile?.(o.entry.size);
    return writer.add(o.entry);
  };

  try {
    const files = walkCopy(
      pool,
      { copy: opts.copy, source: opts.source, previous: opts.previous?.path },
      RESERVED_NAMES,
      opts.signal,
      {
        onOther: (path) => opts.onOther?.(path),
        onProblem: (path, what) => {
          r.nameProblemCount++;
          if (r.nameProblems.length < 20) r.nameProblems.push(`${displayPath(path)}: ${what}`);
        },
      },
    );
    // Outcomes are written in walk order (the index's); up to WINDOW reads in flight on the pool meanwhile.
    const window: (Outcome | Promise<Outcome>)[] = [];
    const drain = async (upTo: number) => {
      while (window.length > upTo || (window.length > 0 && !(window[0] instanceof Promise))) {
        const head = window.shift()!;
        const w = count(head instanceof Promise ? await head : head);
        if (w) await w;
      }
    };
    try {
      for await (const run of files) {
        if (opts.signal.aborted) throw opts.signal.reason;
        if (usePrevious) await cursor.ahead(run[0]!.path, run[run.length - 1]!.path);
        for (const file of run) {
          const o = decide(file);
          if (o instanceof Promise) o.catch(() => undefined); // awaited in turn; handled if the pass fails first
          window.push(o);
          await drain(WINDOW - 1);
        }
      }
      await drain(0);
    } finally {
      window.length = 0;
    }
    await cursor.finish();
    r.index = await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    if (!opts.pool) await pool.close();
  }
  return r;
}

function sameSource(a: SourceSeen, b: SourceSeen): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}
