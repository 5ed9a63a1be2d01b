import { lstatSync } from 'node:fs';
import { lstat, opendir, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KintsugiError, type ErrorCode } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format-bytes';
import { fsPath, toBytePath, type BytePath } from './byte-path';
import type { HashPool } from './hash-pool';
import { visitTree } from './visit-tree';

export { formatBytes };

// Room checks happen before the first byte is copied. Two upper bounds on what a copy needs:
// - a du-like walk of the source, counted in the DESTINATION's blocks (hard-linked inodes once): every non-empty
//   file takes at least one whole block there, whatever the source did (inline data, tail packing: a tree of small
//   files measured 6.4 MiB on its source and needed 24 MiB on a 4 KiB-block destination); sparse files stay sparse;
// - for an incremental backup, the files rsync would not hard-link from --link-dest (counted in the same walk):
//   only changed files need room, the rest become hard links.
// The smaller of the two, plus a margin for directories and metadata, must fit in the free space.

export interface TreeSize {
  /** Bytes the tree takes on the destination, in its blocks (see neededOnDest), each inode once. */
  allocatedBytes: number;
  /** Sum of apparent sizes of regular files, each inode once. */
  apparentBytes: number;
  /** Sum of apparent sizes of regular files, every path counted (what a backup's index lists). */
  fileBytes: number;
  /** Every entry below the root (files, dirs, links, devices), hard links counted each time. */
  entries: number;
  dirs: number;
  /** Regular files with at least one whole 4 KiB block of hole (see isSparse). */
  sparseFiles: number;
}

/**
 * A file with holes: at least one 4 KiB block's worth of its length is not allocated. Small files stored inline
 * (no block at all, a few dozen bytes) do not count; a compressed file (btrfs, ZFS) may, which only costs the
 * copy the zero scan --sparse does.
 */
export function isSparse(st: { size: number; blocks: number; isFile(): boolean }): boolean {
  return st.isFile() && st.size - st.blocks * 512 >= 4096;
}

/** Bytes one entry takes on a filesystem with `block`-byte blocks: its allocation rounded up to whole blocks, and
 * at least one block for any non-empty file or directory (a source may store small files inline, in no block). */
export function neededOnDest(
  st: { size: number; blocks: number; isDirectory(): boolean; isFile(): boolean },
  block: number,
): number {
  const allocated = st.blocks * 512;
  const atLeast =
    st.isDirectory() || (st.isFile() && st.size > 0) ? Math.min(Math.max(st.size, 1), block) : 0;
  const bytes = Math.max(allocated, atLeast);
  return Math.ceil(bytes / block) * block;
}

/** The lstat fields the walk reads: fs.Stats has them, and so does a worker's listing (hash-pool.ts). */
export interface StatFields {
  size: number;
  blocks: number;
  nlink: number;
  dev: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
}

/** What the walk needs of an entry: fs.Stats has it, and so has a worker's lstat (`poolLstat`). */
export interface EntryStat extends StatFields {
  isFile(): boolean;
  isDirectory(): boolean;
  /** Asked for with `beside` (pool lister): the regular file of the same name in that tree, or null. */
  prev?: PrevStat | null;
}

/** What --link-dest compares of the previous backup's file (estimateNeed's `linkable`). */
export interface PrevStat {
  size: number;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
}

/** A folder's entries with their lstats, read on the hash pool's workers (off libuv's threads: hash-pool.ts). */
export function poolLister(pool: HashPool): ListDir {
  return async (dir, beside) =>
    (await pool.list(dir, beside)).map((e) => ({
      name: e.name,
      st: { ...e, isFile: () => e.kind === 'f', isDirectory: () => e.kind === 'd' },
    }));
}

/**
 * Lists a folder (a byte path) with its entries' names (as bytes) and lstats; a lister that can also stats each
 * regular file's namesake in `beside` (the same folder in another tree) and says so in `st.prev`.
 */
export type ListDir = (dir: BytePath, beside?: BytePath) => Promise<{ name: BytePath; st: EntryStat }[]>;

/** The default lister: libuv's opendir and lstat, two lstats in flight. Not more: on a drive that stops answering
 * each one holds a thread of libuv's pool (four) for good, and the job host needs the others to report and clean
 * up (source-stall.ts). */
async function libuvList(dir: BytePath): Promise<{ name: BytePath; st: EntryStat }[]> {
  const names: BytePath[] = [];
  for await (const entry of await opendir(fsPath(dir), { encoding: 'latin1' })) names.push(entry.name);
  const stats: EntryStat[] = [];
  for (let i = 0; i < names.length; i += 2)
    stats.push(...(await Promise.all(names.slice(i, i + 2).map((name) => lstat(fsPath(`${dir}/${name}`))))));
  return names.map((name, i) => ({ name, st: stats[i]! }));
}

export async function measureTree(
  root: string,
  signal?: AbortSignal,
  destBlock = 4096,
  /** Sees each entry once (hard links once), with its path relative to root (a byte path). */
  visit?: (rel: BytePath, st: EntryStat) => void,
  /** Lists a folder with its entries' lstats (default: libuv's, two lstats in flight). */
  listDir?: ListDir,
  /** The same tree elsewhere (the previous backup): passed to the lister, folder by folder (`EntryStat.prev`). */
  beside?: string,
): Promise<TreeSize> {
  const size: TreeSize = {
    allocatedBytes: 0,
    apparentBytes: 0,
    fileBytes: 0,
    entries: 0,
    dirs: 0,
    sparseFiles: 0,
  };
  const seen = new Set<string>();
  // Folders still to list. A given lister (the hash pool's workers) lists four at a time: one folder's round
  // trip after another left the workers idle between replies (62 folders: most of a 0.16 s walk). libuv's
  // lister stays one folder at a time: on a drive that stops answering each lstat holds a libuv thread for good.
  const besideRoot = beside === undefined ? undefined : toBytePath(beside);
  // A given lister (the hash pool's workers) lists four folders at a time: one folder's round trip after
  // another left the workers idle between replies (62 folders: most of a 0.16 s walk). libuv's lister stays one
  // folder at a time: on a drive that stops answering each lstat holds a libuv thread for good.
  const width = listDir ? 4 : 1;
  const list = listDir ?? libuvList;
  await visitTree<[BytePath, BytePath]>([toBytePath(root), ''], width, async ([dir, rel]) => {
    if (signal?.aborted) throw new KintsugiError('CANCELLED', `stopped while measuring ${root}`);
    // A backup's source is listed on the hash pool's workers: readdir and lstats in one message per folder cost
    // about half of libuv's opendir and two lstats in flight per round trip (3,100 entries: 79 ms against 142).
    const listed = await list(
      dir,
      besideRoot === undefined ? undefined : rel ? `${besideRoot}/${rel}` : besideRoot,
    );
    const folders: [BytePath, BytePath][] = [];
    for (const { name, st } of listed) {
      const relPath = rel ? `${rel}/${name}` : name;
      size.entries++;
      if (st.isFile()) size.fileBytes += st.size;
      if (st.nlink > 1 && !st.isDirectory()) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      size.allocatedBytes += neededOnDest(st, destBlock);
      if (st.isFile()) size.apparentBytes += st.size;
      if (isSparse(st)) size.sparseFiles++;
      visit?.(relPath, st);
      if (st.isDirectory()) {
        size.dirs++;
        folders.push([`${dir}/${name}`, relPath]);
      }
    }
    return folders;
  });
  return size;
}

export interface SpaceNeed {
  requiredBytes: number;
  /** Inodes a full copy needs (undefined for an incremental one, where most entries become hard links). */
  requiredInodes?: number;
  source: TreeSize;
  /** Bytes rsync would transfer against --link-dest. */
  transferBytes?: number;
  files: number;
}

const MARGIN_FIXED = 256 * 1024;
const DIR_BLOCK = 4096;

/** Pure: the room a copy needs from the measured sizes. */
export function requiredBytes(
  tree: Pick<TreeSize, 'allocatedBytes' | 'dirs'>,
  transferBytes?: number,
): number {
  const incremental = transferBytes === undefined ? Infinity : transferBytes + tree.dirs * DIR_BLOCK;
  const base = Math.min(tree.allocatedBytes, incremental);
  return Math.ceil(base * 1.02) + MARGIN_FIXED;
}

/** The room an incremental backup the app links itself needs: what rsync will copy, and its folders. */
export function roomForChanges(plan: { copyBytes: number; dirs: number }): number {
  return requiredBytes({ allocatedBytes: Number.POSITIVE_INFINITY, dirs: plan.dirs }, plan.copyBytes);
}

export async function estimateNeed(
  source: string,
  linkDest: string | undefined,
  probeDest: string,
  signal?: AbortSignal,
  listDir?: ListDir,
): Promise<SpaceNeed> {
  // The destination's block size: where it does not exist yet, its parent's filesystem.
  const destBlock = (await statfs(probeDest).catch(() => statfs(dirname(probeDest)))).bsize || 4096;
  // What an incremental copy transfers, counted during the same walk (a separate rsync dry run was a second
  // stat pass over the whole source, a good part of an unchanged backup's time): a file needs room unless the
  // previous backup holds one rsync --link-dest would link (same size, mtime, mode and owner).
  let transferBytes: number | undefined = linkDest ? 0 : undefined;
  const linkBase = linkDest ? toBytePath(linkDest) : undefined;
  const visit = linkBase
    ? (rel: BytePath, st: EntryStat) => {
        if (!st.isFile()) return;
        // Stat'ed by the pool's lister with the source's file (no lstat per file on this thread); otherwise
        // here: the previous backup is on the destination (not the drive that may stall), a cached lstat.
        const prev = st.prev !== undefined ? st.prev : prevFile(`${linkBase}/${rel}`);
        const linkable =
          prev &&
          prev.size === st.size &&
          Math.trunc(prev.mtimeMs / 1000) === Math.trunc(st.mtimeMs / 1000) &&
          prev.mode === st.mode &&
          prev.uid === st.uid &&
          prev.gid === st.gid;
        if (!linkable) transferBytes! += st.size;
      }
    : undefined;
  const tree = await measureTree(source, signal, destBlock, visit, listDir, linkDest);
  return {
    requiredBytes: requiredBytes(tree, transferBytes),
    requiredInodes: linkDest ? undefined : tree.entries + 16,
    source: tree,
    transferBytes,
    files: tree.entries,
  };
}

function prevFile(path: BytePath): PrevStat | null {
  const st = lstatSync(fsPath(path), { throwIfNoEntry: false });
  return st?.isFile() ? st : null;
}

export interface FreeSpace {
  availableBytes: number;
  freeInodes?: number;
  fsType: number;
}

export async function freeSpace(path: string): Promise<FreeSpace> {
  const s = await statfs(path);
  return {
    availableBytes: s.bavail * s.bsize,
    // Filesystems without inode accounting (btrfs, some FUSE) report 0 files: no inode check then.
    freeInodes: s.files > 0 ? s.ffree : undefined,
    fsType: s.type,
  };
}

/** Pure: why the need does not fit, or undefined when it does. */
export function roomShortfall(
  need: Pick<SpaceNeed, 'requiredBytes' | 'requiredInodes'>,
  free: FreeSpace,
): string | undefined {
  if (need.requiredBytes > free.availableBytes)
    return `needs ${formatBytes(need.requiredBytes)}, only ${formatBytes(free.availableBytes)} free`;
  if (
    need.requiredInodes !== undefined &&
    free.freeInodes !== undefined &&
    need.requiredInodes > free.freeInodes
  )
    return `needs ${need.requiredInodes} inodes, only ${free.freeInodes} free`;
  return undefined;
}

export async function ensureRoom(need: SpaceNeed, dest: string, code: ErrorCode): Promise<void> {
  const free = await freeSpace(dest);
  const short = roomShortfall(need, free);
  if (short) throw new KintsugiError(code, `${dest}: ${short}`);
}

/**
 * Pure: the room a full backup of an ext4 store needs, from its superblock's counts (no walk, nothing mounted):
 * its data in the destination's blocks (a file whose last block is partly used takes a whole destination block,
 * so a destination with bigger blocks than the store costs up to one block more per file) and the same margin as
 * `requiredBytes`, so what the backup step shows is what the backup's own room check will ask for.
 */
export function neededForStore(
  usage: { dataBytes: number; blockSize: number; usedInodes: number },
  destBlock: number,
): number {
  const rounding = destBlock > usage.blockSize ? usage.usedInodes * (destBlock - usage.blockSize) : 0;
  return requiredBytes({ allocatedBytes: usage.dataBytes + rounding, dirs: 0 });
}
