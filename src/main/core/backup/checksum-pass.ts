import type { BackupManifest } from '../../../shared/model';
import { displayPath, toBytePath, type BytePath } from './byte-path';
import { walkCopy, type CopyFile } from './copy-walk';
import { createIndexWriter, seenUnlessRacy, type IndexEntry, type SourceSeen } from './file-index';
import { createHashPool, type HashPool } from './hash-pool';
import { RESERVED_NAMES } from './manifest';
import { emptyPassResult, inOrder } from './pass-window';

// The full verify pass of a backup, file by file, writing the index as it goes: every regular file of the copy
// is read on both sides, the copy hashed and the source compared with it byte for byte (hash-pool.ts
// `compare`), its source's size, mtime, ctime and inode recorded as seen then (what the next incremental backup
// inherits by: link-plan.ts). A file that is the previous backup's inode (rsync --link-dest linked it) and whose
// bytes differ is a stale link: rewritten with its old mtime (`touch -r`), only its ctime tells, and rsync's quick
// check linked the old bytes. Paths are byte paths.

export interface ChecksumPassOptions {
  source: string;
  copy: string;
  indexPath: string;
  /** The backup --link-dest linked from: a file of the copy that is its inode counts as linked. */
  previous?: { path: string; manifest: BackupManifest };
  signal: AbortSignal;
  onFile?: (bytes: number) => void;
  /** The backup's pool, already warm from measuring the source; the caller closes it. Default: a pool of its own. */
  pool?: HashPool;
  /** Tests only: the racily-changed window (file-index.ts RACY_WINDOW_MS). */
  racyWindowMs?: number;
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
  /** Files read that had changed within the racy window: recorded without their source, read again next time. */
  racyFiles: number;
}

type Outcome = { entry: IndexEntry; linked: boolean; problem?: string };

export async function checksumPass(opts: ChecksumPassOptions): Promise<ChecksumPassResult> {
  const writer = await createIndexWriter(opts.indexPath);
  const pool = opts.pool ?? createHashPool();
  const source = toBytePath(opts.source);
  const copy = toBytePath(opts.copy);
  const r = emptyPassResult();

  const read = async ({ path, facts }: CopyFile): Promise<Outcome> => {
    // The copy, the previous backup and the source were stat'ed by the walk, on the pool's workers
    // (copy-walk.ts): the source, a drive that may stop answering, is never read on this thread.
    const { linked, size, src } = facts;
    if (!src)
      return {
        entry: { path, size, sha256: '0'.repeat(64), how: 'hashed' },
        linked,
        problem: 'gone from the source',
      };
    const seen: SourceSeen = { size: src.size, mtimeNs: src.mtimeNs, ctimeNs: src.ctimeNs, ino: src.ino };
    const readAt = Date.now();
    const c = await pool.compare(`${source}/${path}`, `${copy}/${path}`);
    const recorded = seenUnlessRacy(seen, readAt, opts.racyWindowMs);
    const entry: IndexEntry = {
      path,
      size: c.size,
      sha256: c.sha256,
      how: 'hashed',
      ...(recorded ? { src: recorded } : {}),
    };
    return c.equal ? { entry, linked } : { entry, linked, problem: 'content differs' };
  };
  const count = (o: Outcome): Promise<void> | undefined => {
    r.hashedFiles++;
    r.hashedBytes += o.entry.size;
    if (!o.entry.src && !o.problem) r.racyFiles++;
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
        onOther: () => undefined, // rsync's metadata pass over the whole tree sees them
        onProblem: (path, what) => {
          r.nameProblemCount++;
          if (r.nameProblems.length < 20) r.nameProblems.push(`${displayPath(path)}: ${what}`);
        },
      },
    );
    // Outcomes are written in walk order (the index's); up to PASS_WINDOW reads in flight on the pool meanwhile.
    const outcomes = inOrder(count);
    try {
      for await (const run of files) {
        if (opts.signal.aborted) throw opts.signal.reason;
        for (const file of run) await outcomes.add(read(file));
      }
      await outcomes.finish();
    } finally {
      outcomes.clear();
    }
    r.index = await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    if (!opts.pool) await pool.close();
  }
  return r;
}
