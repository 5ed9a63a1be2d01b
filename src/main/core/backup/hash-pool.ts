import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BytePath } from './byte-path';
import type { PrevStat, StatFields } from './space';

// sha256 of whole files, lstat of files on a drive (batched: 64 per message) and listings of its folders, on a
// small pool of worker threads:
// - OpenSSL's sha256 (node:crypto) runs at ~1.3 GB/s per core here, so hashing, not reading the page cache, is
//   the cost of a verify pass, and one thread per core halves it. Each worker reads with one 1 MiB buffer:
//   memory stays bounded whatever the file sizes.
// - Every read of a drive that may stop answering (the backup's source, the restore's target) happens here and
//   never on libuv's thread pool: a read of a dead drive never returns, and four of them would take every
//   thread of that pool, so the job host could no longer write its journal, unmount or report (source-stall.ts).
//   A worker stuck in the kernel is abandoned with the job.
// - A copy is proven equal to its source by comparing their bytes (memcmp, ~10 GB/s from the page cache) while
//   only the copy is hashed: equal bytes have the same sha256, so the source's was a second sha256 pass over
//   the whole tree for nothing (a first backup of 1 GiB: 2 GiB hashed).
// Paths are byte paths (byte-path.ts): names that are not UTF-8 stay openable.
// The worker's code is inline (eval) so the bundled main, helper and CLI need no extra entry file.

/** The most files one `folder` / `folderFiles` reply describes: bounded memory in a folder of a million files. */
export const LISTING_MAX = 4096;

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync, fstatSync, lstatSync, readdirSync, mkdirSync, linkSync } = require('node:fs');
const buf = Buffer.allocUnsafe(1024 * 1024);
const other = Buffer.allocUnsafe(1024 * 1024);
const P = (p) => Buffer.from(p, 'latin1');
function readFull(fd, into) {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, null);
    if (n === 0) break;
    got += n;
  }
  return got;
}
function hash(path) {
  let fd;
  try {
    fd = openSync(P(path), 'r');
    const h = createHash('sha256');
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      size += n;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
    }
    return { sha256: h.digest('hex'), size };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
// The copy hashed, the source compared with it chunk by chunk; equal ends at the first differing chunk.
// With a third path (the previous backup's file of that name): whether the copy is that file's inode (rsync
// --link-dest linked it rather than writing it).
function compare(spec) {
  const [source, copy, prev] = spec.split('\\0');
  let fs, fc;
  try {
    fs = openSync(P(source), 'r');
    fc = openSync(P(copy), 'r');
    const h = createHash('sha256');
    let size = 0;
    let equal = true;
    for (;;) {
      const n = readFull(fc, buf);
      size += n;
      if (n > 0) h.update(n === buf.length ? buf : buf.subarray(0, n));
      if (equal) {
        const m = readFull(fs, other);
        if (m !== n || (n > 0 && buf.compare(other, 0, m, 0, n) !== 0)) equal = false;
      }
      if (n < buf.length) break;
    }
    const reply = { sha256: h.digest('hex'), size, equal };
    if (prev === undefined) return reply;
    const c = fstatSync(fc, { bigint: true });
    const p = lstatOrNone(prev, true);
    return { ...reply, linked: p !== undefined && p.ino === c.ino && p.dev === c.dev };
  } finally {
    if (fs !== undefined) closeSync(fs);
    if (fc !== undefined) closeSync(fc);
  }
}
function stat(path) {
  const st = lstatSync(P(path), { bigint: true, throwIfNoEntry: false });
  if (!st) return { stat: null };
  return { stat: { isFile: st.isFile(), size: Number(st.size), mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs), ino: String(st.ino), mode: Number(st.mode), uid: Number(st.uid),
    gid: Number(st.gid) } };
}
// An entry as one record: its fields joined by NUL (decodeListed reads them back; why a string: see facts below).
function entry(name, st) {
  return name + '\0' + (st.isFile() ? 'f' : st.isDirectory() ? 'd' : 'o') + '\0' + st.size + '\0' + st.blocks +
    '\0' + st.nlink + '\0' + st.dev + '\0' + st.ino + '\0' + st.mode + '\0' + st.uid + '\0' + st.gid + '\0' + st.mtimeMs;
}
// ENOENT / ENOTDIR: nothing of that name (the folder itself may be gone); any other error is thrown.
function lstatOrNone(path, bigint) {
  try {
    return lstatSync(P(path), { bigint, throwIfNoEntry: false });
  } catch (err) {
    if (err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return undefined;
    throw err;
  }
}
// "dir" or "dir\\0beside": beside is the same folder in the previous backup, whose file of the same name is
// stat'ed with each regular file (space.ts decides from it whether --link-dest will link the file).
function list(spec) {
  const [dir, beside] = spec.split('\0');
  return { list: readdirSync(P(dir), 'latin1').map((name) => {
    const st = lstatSync(P(dir + '/' + name));
    const e = entry(name, st);
    if (beside === undefined || !st.isFile()) return e;
    const p = lstatOrNone(beside + '/' + name, false);
    return p && p.isFile() ? e + '\0' + p.size + '\0' + p.mtimeMs + '\0' + p.mode + '\0' + p.uid + '\0' + p.gid : e + '\0';
  }).join('/') };
}
// What the verify needs of one regular file of the copy (copy-walk.ts): its size, whether it is the previous
// backup's inode (linked by --link-dest), whether mode, owner and mtime equal the source's, and the source as
// seen now (no source fields: not a regular file there, or gone). Stat'ed copy first, source last: before it is
// read. One record is its fields joined by NUL, records joined by '/' (no name holds either): a reply is one
// string, which crosses to the main thread as a copy of its bytes; as objects it cost ~10 us a file there
// (structured clone), most of an unchanged backup's verify. decodeFacts reads it back.
function facts(copy, source, prev, name) {
  const c = lstatSync(P(copy + '/' + name), { bigint: true });
  const p = prev ? lstatOrNone(prev + '/' + name, true) : undefined;
  const s = lstatOrNone(source + '/' + name, true);
  const linked = p !== undefined && p.ino === c.ino && p.dev === c.dev ? 1 : 0;
  if (!s || !s.isFile()) return name + '\0' + c.size + '\0' + linked + '\0' + 0;
  const same = c.mode === s.mode && c.uid === s.uid && c.gid === s.gid && c.mtimeNs === s.mtimeNs ? 1 : 0;
  return name + '\0' + c.size + '\0' + linked + '\0' + same + '\0' + s.size + '\0' + s.mtimeNs + '\0' + s.ctimeNs + '\0' + s.ino;
}
// One folder of the copy beside the same folder of the source and of the previous backup ("copy\0source\0prev",
// prev may be empty), in one message: its entries sorted by their bytes (each its kind, f d or o, then its name;
// '/'-separated), the names only one side has, and the facts of its regular files (null above LISTING_MAX:
// asked for in chunks, folderFiles).
function folder(spec) {
  const [copy, source, prev] = spec.split('\0');
  const r = namesBeside(copy, source);
  if (r.gone) return { folder: r };
  return { folder: { ...r, files: r.files.length > ${LISTING_MAX} ? null : r.files.map((e) => facts(copy, source, prev, e.slice(1))).join('/') } };
}
// A folder of the copy beside the same folder of the source: the copy's entries sorted by their bytes (kind,
// then name), the names only one side has, and the copy's regular files the source has too.
function namesBeside(copy, source) {
  const entries = sortedEntries(copy);
  let names;
  try {
    names = readdirSync(P(source), 'latin1');
  } catch (err) {
    if (err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return { entries: entries.join('/'), gone: true };
    throw err;
  }
  const inSource = new Set(names);
  const copyOnly = [];
  for (const e of entries) if (!inSource.delete(e.slice(1))) copyOnly.push(e.slice(1));
  const extra = new Set(copyOnly);
  const files = entries.filter((e) => e[0] === 'f' && !extra.has(e.slice(1)));
  return { entries: entries.join('/'), gone: false, copyOnly, sourceOnly: [...inSource], files };
}
// A folder's entries as kind (f d o) and name, sorted by the names' bytes (the index's order).
function sortedEntries(dir) {
  return readdirSync(P(dir), { withFileTypes: true, encoding: 'latin1' })
    .map((e) => (e.isFile() ? 'f' : e.isDirectory() ? 'd' : 'o') + e.name)
    .sort((a, b) => { const x = a.slice(1), y = b.slice(1); return x < y ? -1 : x > y ? 1 : 0; });
}
// "copy\0source\0prev\0name\0name...": the facts of those files (a big folder's, LISTING_MAX at a time).
function folderFiles(spec) {
  const [copy, source, prev, ...names] = spec.split('\0');
  return { facts: names.map((name) => facts(copy, source, prev, name)).join('/') };
}
// The names check of an incremental backup the app linked itself ("copy\0source"): a folder's entries sorted by
// their bytes and the names only one side has, without the files' facts (link-plan.ts proved them).
function folderCheck(spec) {
  const [copy, source] = spec.split('\0');
  const r = namesBeside(copy, source);
  return { folder: r.gone ? r : { ...r, files: '' } };
}
// What deciding "link it from the previous backup, or copy it" needs of one regular file of the source
// (link-plan.ts): its lstat, and whether the previous backup's file of that name is a regular file with the
// same size, mode, owner and mtime (the attributes a hard link to it would show; ctime is the index's to judge).
function planFacts(source, prev, name) {
  const s = lstatSync(P(source + '/' + name), { bigint: true });
  const p = prev ? lstatOrNone(prev + '/' + name, true) : undefined;
  const match = p !== undefined && p.isFile() && p.size === s.size && p.mode === s.mode && p.uid === s.uid &&
    p.gid === s.gid && p.mtimeNs === s.mtimeNs ? 1 : 0;
  return name + '\0' + s.size + '\0' + s.blocks + '\0' + match + '\0' + s.mtimeNs + '\0' + s.ctimeNs + '\0' + s.ino;
}
// One folder of the source beside the same folder of the previous backup ("source\0prev"): its entries sorted
// by their bytes (kind then name, '/'-separated) and the plan facts of its regular files (null above
// LISTING_MAX: asked for in chunks, planFiles). The shape of folder's reply, so one walk reads both.
function plan(spec) {
  const [source, prev] = spec.split('\0');
  const entries = sortedEntries(source);
  const files = entries.filter((e) => e[0] === 'f');
  return { folder: { entries: entries.join('/'), gone: false, copyOnly: [], sourceOnly: [],
    files: files.length > ${LISTING_MAX} ? null : files.map((e) => planFacts(source, prev, e.slice(1))).join('/') } };
}
function planFiles(spec) {
  const [source, prev, ...names] = spec.split('\0');
  return { facts: names.map((name) => planFacts(source, prev, name)).join('/') };
}
// "prevDir\0copyDir\0name\0name...": the copy's folder made (with its parents) and each file hard-linked from
// the previous backup's. A link the filesystem refuses (EMLINK: the inode has too many links; EXDEV, EPERM)
// is answered, not thrown: that file is copied by rsync instead. Out of space is thrown.
function link(spec) {
  const [prev, copy, ...names] = spec.split('\0');
  mkdirSync(P(copy), { recursive: true });
  const refused = [];
  for (const name of names) {
    try {
      linkSync(P(prev + '/' + name), P(copy + '/' + name));
    } catch (err) {
      if (err && err.code === 'ENOSPC') throw err;
      refused.push(name);
    }
  }
  return { refused };
}
const OPS = { hash, compare, compareSmall: compare, stat, list, folder, folderFiles, folderCheck, plan, planFiles, link };
const attempt = (f) => { try { return f(); } catch (err) { return { error: String((err && err.message) || err) }; } };
parentPort.on('message', ({ id, op, paths }) => {
  parentPort.postMessage({ id, replies: paths.map((p) => attempt(() => OPS[op](p))) });
});
`;

/**
 * How many queued requests of one kind travel in one message: lstats 64 at a time (one message each way per
 * file cost more than the lstat); a walk's folders (plan, link, folderCheck) 8 at a time (the walk asks 16
 * ahead: one message per folder was ~0.2 ms each way here, a third of an unchanged backup's plan). Files to hash
 * go alone: each is a long job of its own, and a batch would keep the other workers idle.
 */
const BATCH: Partial<Record<Job['op'], number>> = {
  stat: 64,
  plan: 8,
  link: 8,
  folderCheck: 8,
  compareSmall: 8,
};

/**
 * A file this small is compared in a batch (its read is shorter than a message's round trip), and the small
 * files of a pass start the other workers only once they add up to SMALL_START bytes: 260 changed files of 8 MiB
 * (a 1 % change of a 1 GiB tree) were one message each and paid a second worker's start (~40 ms of CPU) for
 * ~10 ms of hashing.
 */
const SMALL_FILE = 256 * 1024;
const SMALL_START = 64 * 1024 * 1024;

export interface FileHash {
  sha256: string;
  /** Bytes read: the file's length when it was hashed. */
  size: number;
}

/** A copy read beside its source: the copy's sha256 and length, and whether the source held the same bytes. */
export interface FileComparison extends FileHash {
  equal: boolean;
  /** Asked with the previous backup's file: the copy is that inode (hard-linked, not written). */
  linked?: boolean;
}

export interface FileStat {
  isFile: boolean;
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  mode: number;
  uid: number;
  gid: number;
}

/** What a du-like walk needs of a folder's entry (space.ts), as plain data from a worker's lstat. */
export interface ListedEntry extends StatFields {
  name: string;
  kind: 'f' | 'd' | 'o';
  /** With `list(dir, beside)`, for a regular file: the file of that name beside it, if it is a regular file. */
  prev?: PrevStat | null;
}

/** A regular file of a backup's copy as the verify needs it (the worker's `facts`). */
export interface CopyFileFacts {
  name: BytePath;
  size: number;
  /** The copy is the previous backup's inode (hard-linked by --link-dest). */
  linked: boolean;
  /** The copy's mode, owner and mtime equal the source's. */
  same: boolean;
  /** The source file as stat'ed now; null when it is not a regular file (or is gone). */
  src: { size: number; mtimeNs: string; ctimeNs: string; ino: string } | null;
}

/** A regular file of a backup's source as the link plan needs it (the worker's `planFacts`). */
export interface PlanFacts {
  name: BytePath;
  size: number;
  /** 512-byte blocks allocated: a file with holes makes the copy use --sparse (space.ts isSparse). */
  blocks: number;
  /** The previous backup's file of that name is a regular file with this one's size, mode, owner and mtime. */
  prevMatch: boolean;
  src: { size: number; mtimeNs: string; ctimeNs: string; ino: string };
}

/** One folder of a copy read beside the source's (`HashPool.folder`), or of a source alone (`HashPool.plan`). */
export interface CopyFolder<F = CopyFileFacts> {
  /** The copy's entries, sorted by their bytes: 'f' regular file, 'd' folder, 'o' anything else. */
  entries: [BytePath, 'f' | 'd' | 'o'][];
  /** The source has no such folder (any more). */
  gone: boolean;
  copyOnly?: BytePath[];
  sourceOnly?: BytePath[];
  /** The facts of the regular files both sides have, in entry order; null above LISTING_MAX (folderFiles). */
  files?: F[] | null;
}

export interface HashPool {
  hash(path: BytePath): Promise<FileHash>;
  /**
   * The copy hashed and compared byte for byte with the source (one sha256 pass, not two). `size`, when known,
   * lets small files travel several to a message (SMALL_FILE).
   */
  compare(source: BytePath, copy: BytePath, prev?: BytePath, size?: number): Promise<FileComparison>;
  /** lstat in a worker; undefined when nothing is there. */
  stat(path: BytePath): Promise<FileStat | undefined>;
  /**
   * A folder's names and their lstats, read in a worker in one message (a du-like walk: space.ts); with
   * `beside` (the same folder elsewhere), each regular file's namesake there too (`ListedEntry.prev`).
   */
  list(dir: BytePath, beside?: BytePath): Promise<ListedEntry[]>;
  /** One folder of a copy beside the source's and the previous backup's (prev: '' for none), in one message. */
  folder(copy: BytePath, source: BytePath, prev: BytePath): Promise<CopyFolder>;
  /** The facts of some of a folder's files (a folder above LISTING_MAX, a chunk at a time). */
  folderFiles(copy: BytePath, source: BytePath, prev: BytePath, names: BytePath[]): Promise<CopyFileFacts[]>;
  /** A folder of the copy beside the source's: which names exist on one side only (no file facts). */
  folderCheck(copy: BytePath, source: BytePath): Promise<CopyFolder<never>>;
  /** One folder of a source beside the previous backup's (prev: '' for none): entries and plan facts. */
  plan(source: BytePath, prev: BytePath): Promise<CopyFolder<PlanFacts>>;
  /** The plan facts of some of a folder's files (a folder above LISTING_MAX, a chunk at a time). */
  planFiles(source: BytePath, prev: BytePath, names: BytePath[]): Promise<PlanFacts[]>;
  /** Makes copyDir (and its parents) and hard-links the named files of prevDir into it; the names refused. */
  link(prevDir: BytePath, copyDir: BytePath, names: BytePath[]): Promise<BytePath[]>;
  close(): Promise<void>;
}

type Reply = {
  sha256?: string;
  size?: number;
  equal?: boolean;
  linked?: boolean;
  stat?: FileStat | null;
  list?: string;
  folder?: {
    entries: string;
    gone: boolean;
    copyOnly?: BytePath[];
    sourceOnly?: BytePath[];
    files?: string | null;
  };
  facts?: string;
  refused?: BytePath[];
  error?: string;
};
type Job = {
  op:
    | 'hash'
    | 'compare'
    | 'compareSmall'
    | 'stat'
    | 'list'
    | 'folder'
    | 'folderFiles'
    | 'folderCheck'
    | 'plan'
    | 'planFiles'
    | 'link';
  path: string;
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
};

export function createHashPool(size = Math.min(4, Math.max(1, availableParallelism()))): HashPool {
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const queue: Job[] = [];
  const pending = new Map<number, { jobs: Job[]; w: Worker }>();
  let nextId = 0;
  let closed = false;
  let smallBytes = 0;

  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      let n = 1;
      const op = queue[0]!.op;
      const batch = BATCH[op] ?? 1;
      while (n < batch && queue[n]?.op === op) n++;
      const jobs = queue.splice(0, n);
      const id = nextId++;
      pending.set(id, { jobs, w });
      w.postMessage({ id, op: jobs[0]!.op, paths: jobs.map((j) => j.path) });
    }
  };
  const startWorker = () => {
    const w = new Worker(WORKER_CODE, { eval: true });
    w.on('message', (m: { id: number; replies: Reply[] }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      idle.push(w);
      p.jobs.forEach((job, i) => {
        const r = m.replies[i]!;
        if (r.error !== undefined) job.reject(new Error(r.error));
        else job.resolve(r);
      });
      dispatch();
    });
    w.on('error', (err) => {
      for (const [id, p] of pending) {
        if (p.w !== w) continue;
        pending.delete(id);
        for (const job of p.jobs) job.reject(err);
      }
    });
    workers.push(w);
    idle.push(w);
  };
  const submit = (op: Job['op'], path: string) =>
    new Promise<Reply>((resolve, reject) => {
      if (closed) return reject(new Error('the hash pool was closed'));
      // Started on first use, one for stats and listings; the others with the first file to read. A worker's
      // start costs ~30-50 ms of CPU: on two cores, starting them all at once slowed the measuring walk of an
      // unchanged backup, which then never read a file.
      if (workers.length === 0) startWorker();
      if ((op === 'hash' || op === 'compare' || smallBytes > SMALL_START) && workers.length < size)
        while (workers.length < size) startWorker();
      queue.push({ op, path, resolve, reject });
      dispatch();
    });
  return {
    hash: async (path) => {
      const r = await submit('hash', path);
      return { sha256: r.sha256!, size: r.size! };
    },
    compare: async (source, copy, prev, size) => {
      const small = size !== undefined && size <= SMALL_FILE;
      if (small) smallBytes += size;
      const spec = [source, copy, ...(prev === undefined ? [] : [prev])].join('\0');
      const r = await submit(small ? 'compareSmall' : 'compare', spec);
      return {
        sha256: r.sha256!,
        size: r.size!,
        equal: r.equal!,
        ...(prev === undefined ? {} : { linked: r.linked! }),
      };
    },
    stat: async (path) => (await submit('stat', path)).stat ?? undefined,
    list: async (dir, beside) =>
      decodeListed((await submit('list', beside === undefined ? dir : `${dir}\0${beside}`)).list!),
    folder: async (copy, source, prev) =>
      decodeFolder((await submit('folder', `${copy}\0${source}\0${prev}`)).folder!, decodeFacts),
    folderFiles: async (copy, source, prev, names) =>
      decodeFacts((await submit('folderFiles', [copy, source, prev, ...names].join('\0'))).facts!)!,
    folderCheck: async (copy, source) =>
      decodeFolder((await submit('folderCheck', `${copy}\0${source}`)).folder!, () => []),
    plan: async (source, prev) =>
      decodeFolder((await submit('plan', `${source}\0${prev}`)).folder!, decodePlanFacts),
    planFiles: async (source, prev, names) =>
      decodePlanFacts((await submit('planFiles', [source, prev, ...names].join('\0'))).facts!)!,
    link: async (prevDir, copyDir, names) =>
      (await submit('link', [prevDir, copyDir, ...names].join('\0'))).refused!,
    // Not awaited: a worker reading a drive that stopped answering sits in the kernel and cannot be stopped
    // until the read returns; the job must still be able to end (source-stall.ts) without waiting for it.
    close: async () => {
      closed = true;
      for (const w of workers) void w.terminate().catch(() => undefined);
      const closedError = new Error('the hash pool was closed');
      for (const p of pending.values()) for (const job of p.jobs) job.reject(closedError);
      for (const job of queue) job.reject(closedError);
      pending.clear();
      queue.length = 0;
    },
  };
}

/** The worker's listing records (`entry` and `list` in WORKER_CODE) as objects. */
function decodeListed(text: string): ListedEntry[] {
  return decodeRecords(text, (f) => {
    const e: ListedEntry = {
      name: f[0]!,
      kind: f[1] as ListedEntry['kind'],
      size: Number(f[2]),
      blocks: Number(f[3]),
      nlink: Number(f[4]),
      dev: Number(f[5]),
      ino: Number(f[6]),
      mode: Number(f[7]),
      uid: Number(f[8]),
      gid: Number(f[9]),
      mtimeMs: Number(f[10]),
    };
    // A namesake was asked for: 11 fields when there is none (a trailing empty one), 16 when there is.
    if (f.length > 11)
      e.prev =
        f.length === 12
          ? null
          : {
              size: Number(f[11]),
              mtimeMs: Number(f[12]),
              mode: Number(f[13]),
              uid: Number(f[14]),
              gid: Number(f[15]),
            };
    return e;
  });
}

/** A worker's folder reply (`folder`, `folderCheck`, `plan` in WORKER_CODE) as an object. */
function decodeFolder<F>(
  f: NonNullable<Reply['folder']>,
  decode: (text: string | null | undefined) => F[] | null,
): CopyFolder<F> {
  return {
    entries: f.entries === '' ? [] : f.entries.split('/').map((e) => [e.slice(1), e[0] as 'f' | 'd' | 'o']),
    gone: f.gone,
    ...(f.gone ? {} : { copyOnly: f.copyOnly, sourceOnly: f.sourceOnly, files: decode(f.files) }),
  };
}

/** The worker's plan records (`planFacts` in WORKER_CODE) as objects; null stays null (above LISTING_MAX). */
function decodePlanFacts(text: string | null | undefined): PlanFacts[] | null {
  return decodeRecords(text, (f) => ({
    name: f[0]!,
    size: Number(f[1]),
    blocks: Number(f[2]),
    prevMatch: f[3] === '1',
    src: { size: Number(f[1]), mtimeNs: f[4]!, ctimeNs: f[5]!, ino: f[6]! },
  }));
}

/** The worker's facts records (`facts` in WORKER_CODE) as objects; null stays null (a folder above LISTING_MAX). */
function decodeFacts(text: string | null | undefined): CopyFileFacts[] | null {
  return decodeRecords(text, (f) => ({
    name: f[0]!,
    size: Number(f[1]),
    linked: f[2] === '1',
    same: f[3] === '1',
    src: f.length > 4 ? { size: Number(f[4]), mtimeNs: f[5]!, ctimeNs: f[6]!, ino: f[7]! } : null,
  }));
}

/**
 * A worker's reply of records (joined by '/', their fields by NUL: neither can be in a name) as objects; no
 * text (null: a folder above LISTING_MAX, asked for in chunks) stays null.
 */
function decodeRecords<T>(text: string, fromFields: (fields: string[]) => T): T[];
function decodeRecords<T>(text: string | null | undefined, fromFields: (fields: string[]) => T): T[] | null;
function decodeRecords<T>(text: string | null | undefined, fromFields: (fields: string[]) => T): T[] | null {
  if (text === null || text === undefined) return null;
  if (text === '') return [];
  return text.split('/').map((record) => fromFields(record.split('\0')));
}

/**
 * Runs `fn` over items with at most `width` in flight and hands the results to `sink` in input order: the order
 * an index is written in, with memory bounded by the window. On a failure it stops taking items and waits only
 * for the ones already started that can still finish: the caller closes the pool, which fails the stuck ones.
 */
export async function orderedPool<T, R>(
  items: AsyncIterable<T>,
  width: number,
  fn: (item: T) => Promise<R>,
  sink: (result: R) => Promise<void>,
): Promise<void> {
  const window: Promise<R>[] = [];
  try {
    for await (const item of items) {
      window.push(fn(item));
      if (window.length >= width) await sink(await window.shift()!);
    }
    while (window.length > 0) await sink(await window.shift()!);
  } finally {
    // Whatever is left gets a handler, so no rejection goes unhandled; it is not waited for.
    for (const p of window) p.catch(() => undefined);
  }
}
