import { lstatSync } from 'node:fs';
import type { BackupManifest } from '../../../shared/model';
import { displayPath, fsPath, toBytePath, type BytePath } from './byte-path';
import { createIndexWriter, indexCursor, readIndex, type IndexEntry, type SourceSeen } from './file-index';
import { createHashPool, orderedPool, type FileStat, type HashPool } from './hash-pool';
import { RESERVED_NAMES, indexOf } from './manifest';
import { walkFiles } from './walk-files';

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
}

type Outcome = { entry: IndexEntry; linked: boolean; problem?: string };

export async function checksumPass(opts: ChecksumPassOptions): Promise<ChecksumPassResult> {
  const prevIndex = opts.full ? undefined : indexOf(opts.previous);
  const cursor = indexCursor(prevIndex ? readIndex(prevIndex.path, prevIndex) : undefined);
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
  };

  // The source's files are stat'ed a folder at a time (one message to a worker per folder, not one per file:
  // the messages were most of an unchanged backup's verify). Listings are kept for the few folders the walk is
  // in (a parent's files come after its subfolders'), the oldest dropped first: bounded memory.
  const listings = new Map<BytePath, Promise<Map<BytePath, FileStat> | undefined>>();
  const sourceStat = async (path: BytePath): Promise<FileStat | undefined> => {
    const cut = path.lastIndexOf('/');
    const dir = cut < 0 ? '' : path.slice(0, cut);
    let listing = listings.get(dir);
    if (!listing) {
      listing = pool.files(dir ? `${source}/${dir}` : source).catch(() => undefined);
      listings.set(dir, listing);
      if (listings.size > 32) listings.delete(listings.keys().next().value!);
    }
    const st = (await listing)?.get(path.slice(cut + 1));
    // A folder too big to list at once, gone, or a file that is not (or no longer) there: asked by itself.
    return st ?? pool.stat(`${source}/${path}`);
  };

  // The cursor moves forward only: lookups are chained in walk order although the files are hashed in parallel.
  let lookups: Promise<unknown> = Promise.resolve();
  const one = async (path: BytePath): Promise<Outcome> => {
    const found = lookups.then(() => (previous && prevIndex ? cursor.find(path) : undefined));
    lookups = found.catch(() => {});
    if (opts.signal.aborted) throw opts.signal.reason;
    // The copy and the previous backup are on the destination, just written or linked: their inodes are in
    // the cache and a synchronous lstat costs ~2 us against ~25 us through the thread pool, which is most of an
    // unchanged backup's verify. The source (a drive that may stop answering) is only read asynchronously.
    const copySt = lstatSync(fsPath(`${copy}/${path}`), { bigint: true });
    const prevSt = previous
      ? lstatSync(fsPath(`${previous}/${path}`), { bigint: true, throwIfNoEntry: false })
      : undefined;
    // The source's lstat goes through the pool's workers, never libuv's threads (hash-pool.ts says why).
    const [srcSt, prevEntry] = await Promise.all([sourceStat(path), found]);
    const linked = prevSt !== undefined && prevSt.ino === copySt.ino && prevSt.dev === copySt.dev;
    const size = Number(copySt.size);
    if (!srcSt?.isFile)
      return {
        entry: { path, size, sha256: '0'.repeat(64), how: 'hashed' },
        linked,
        problem: 'gone from the source',
      };
    const seen: SourceSeen = {
      size: srcSt.size,
      mtimeNs: srcSt.mtimeNs,
      ctimeNs: srcSt.ctimeNs,
      ino: srcSt.ino,
    };
    // Inherited: the copy is the previous backup's inode (its bytes, mode, owner, times, xattrs and ACLs were
    // proven equal to this source then), the source is unchanged since (ctime moves with any change to its
    // data or attributes), and what can be read cheaply agrees: size, mode, owner, mtime.
    if (
      linked &&
      prevEntry?.src &&
      sameSource(prevEntry.src, seen) &&
      prevEntry.size === size &&
      sameAttributes(copySt, srcSt)
    )
      return { entry: { path, size, sha256: prevEntry.sha256, how: 'inherited', src: seen }, linked };
    const c = await pool.compare(`${source}/${path}`, `${copy}/${path}`);
    const entry: IndexEntry = { path, size: c.size, sha256: c.sha256, how: 'hashed', src: seen };
    if (!c.equal) return { entry, linked, problem: 'content differs' };
    return { entry, linked };
  };

  try {
    // 32 in flight: most files of an incremental backup cost three lstats, which the libuv pool runs in parallel.
    await orderedPool(walkFiles(opts.copy, RESERVED_NAMES), 32, one, async (o) => {
      await writer.add(o.entry);
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
    });
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

function sameAttributes(
  copy: { mode: bigint; uid: bigint; gid: bigint; mtimeNs: bigint },
  src: FileStat,
): boolean {
  return (
    Number(copy.mode) === src.mode &&
    Number(copy.uid) === src.uid &&
    Number(copy.gid) === src.gid &&
    String(copy.mtimeNs) === src.mtimeNs
  );
}

function sameSource(a: SourceSeen, b: SourceSeen): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}
