// Reads how full an ext4 filesystem is from its superblock alone: no mount, so the backup step can say how much
// room a backup needs as soon as a drive is chosen, before anything is mounted or copied. The superblock counts
// every block in use, the filesystem's own structures (journal, inode tables, bitmaps, descriptor copies)
// included; those are not copied by a backup, so they are subtracted: mke2fs 1.46.5+ records their total
// (s_overhead_clusters), and for a filesystem made by an older mke2fs it is computed from the geometry here.
// Offsets: the kernel's struct ext4_super_block (Documentation/filesystems/ext4/super.rst).

/** Where the superblock starts in the filesystem, and how many bytes of it are read. */
export const SUPERBLOCK_OFFSET = 1024;
export const SUPERBLOCK_SIZE = 1024;

const EXT4_MAGIC = 0xef53;
const COMPAT_HAS_JOURNAL = 0x4;
const COMPAT_SPARSE_SUPER2 = 0x200;
const INCOMPAT_64BIT = 0x80;
const INCOMPAT_META_BG = 0x10;
const RO_COMPAT_SPARSE_SUPER = 0x1;
const RO_COMPAT_BIGALLOC = 0x200;

export interface Ext4Usage {
  blockSize: number;
  blocksCount: number;
  freeBlocks: number;
  /** Blocks the filesystem's own structures take (not user data); from the superblock or computed. */
  overheadBlocks: number;
  overheadSource: 'recorded' | 'computed';
  /** Files, directories and links below the root (the root and the other reserved inodes not counted). */
  usedInodes: number;
  /** Bytes the files and directories take in this filesystem's blocks: what a copy of the tree starts from. */
  dataBytes: number;
}

/** Pure: the usage of the ext4 (or ext2/3) filesystem whose superblock is `sb` (the 1024 bytes at offset 1024). */
export function parseExt4Superblock(sb: Uint8Array): Ext4Usage {
  if (sb.length < SUPERBLOCK_SIZE) throw new Error(`superblock cut short: ${sb.length} bytes`);
  const v = new DataView(sb.buffer, sb.byteOffset, sb.byteLength);
  const u32 = (o: number) => v.getUint32(o, true);
  const u16 = (o: number) => v.getUint16(o, true);
  if (u16(0x38) !== EXT4_MAGIC) throw new Error('no ext2/3/4 superblock (magic number missing)');
  const compat = u32(0x5c);
  const incompat = u32(0x60);
  const roCompat = u32(0x64);
  const is64 = (incompat & INCOMPAT_64BIT) !== 0;
  const logBlock = u32(0x18);
  if (logBlock > 6) throw new Error(`implausible block size (log ${logBlock})`);
  const blockSize = 1024 << logBlock;
  const blocksCount = u32(0x04) + (is64 ? u32(0x150) * 2 ** 32 : 0);
  const freeBlocks = u32(0x0c) + (is64 ? u32(0x158) * 2 ** 32 : 0);
  const inodesCount = u32(0x00);
  const freeInodes = u32(0x10);
  const firstIno = u32(0x4c) >= 1 ? u32(0x54) : 11; // revision 0 filesystems reserve the first 10 inodes
  if (freeBlocks > blocksCount || freeInodes > inodesCount)
    throw new Error('superblock counters are inconsistent (free > total)');

  const recorded = u32(0x248);
  // bigalloc counts clusters, not blocks: the computation below would be wrong, and so would the block counts.
  if (roCompat & RO_COMPAT_BIGALLOC) throw new Error('bigalloc filesystems are not measured here');
  const overheadBlocks =
    recorded > 0
      ? recorded
      : computedOverhead({
          v,
          blockSize,
          blocksCount,
          is64,
          hasJournal: (compat & COMPAT_HAS_JOURNAL) !== 0,
          sparseSuper: (roCompat & RO_COMPAT_SPARSE_SUPER) !== 0,
          sparseSuper2: (compat & COMPAT_SPARSE_SUPER2) !== 0,
          metaBg: (incompat & INCOMPAT_META_BG) !== 0,
        });
  const usedBlocks = Math.max(0, blocksCount - freeBlocks - overheadBlocks);
  return {
    blockSize,
    blocksCount,
    freeBlocks,
    overheadBlocks,
    overheadSource: recorded > 0 ? 'recorded' : 'computed',
    usedInodes: Math.max(0, inodesCount - freeInodes - (firstIno - 1)),
    dataBytes: usedBlocks * blockSize,
  };
}

/** The blocks mke2fs gives the filesystem's own structures, from its geometry (as mke2fs computes s_overhead). */
function computedOverhead(g: {
  v: DataView;
  blockSize: number;
  blocksCount: number;
  is64: boolean;
  hasJournal: boolean;
  sparseSuper: boolean;
  sparseSuper2: boolean;
  metaBg: boolean;
}): number {
  const u32 = (o: number) => g.v.getUint32(o, true);
  const u16 = (o: number) => g.v.getUint16(o, true);
  const firstDataBlock = u32(0x14);
  const blocksPerGroup = u32(0x20);
  const inodesPerGroup = u32(0x28);
  const inodeSize = u32(0x4c) >= 1 ? u16(0x58) : 128;
  if (blocksPerGroup === 0) throw new Error('superblock has no blocks per group');
  const groups = Math.ceil((g.blocksCount - firstDataBlock) / blocksPerGroup);
  const descSize = g.is64 ? Math.max(u16(0xfe), 32) : 32;
  const gdtBlocks = Math.ceil((groups * descSize) / g.blockSize);
  const reservedGdt = u16(0xce);
  const backups = groupsWithSuperblock(groups, g);
  // meta_bg keeps one descriptor block in each of three groups per meta group instead of full copies.
  const perBackup = g.metaBg ? 1 + reservedGdt : 1 + gdtBlocks + reservedGdt;
  const metaBgDescriptors = g.metaBg ? 3 * Math.ceil(groups / (g.blockSize / descSize)) : 0;
  const perGroup = 2 + Math.ceil((inodesPerGroup * inodeSize) / g.blockSize); // 2 bitmaps + the inode table
  // The journal's size is copied into the superblock (s_jnl_blocks[15..16]: i_size_high, i_size).
  const journalBytes = g.hasJournal ? u32(0x14c) + u32(0x148) * 2 ** 32 : 0;
  return (
    firstDataBlock +
    backups * perBackup +
    metaBgDescriptors +
    groups * perGroup +
    Math.ceil(journalBytes / g.blockSize)
  );
}

/** How many block groups carry a copy of the superblock (and, without meta_bg, of the descriptors). */
function groupsWithSuperblock(
  groups: number,
  g: { v: DataView; sparseSuper: boolean; sparseSuper2: boolean },
): number {
  if (g.sparseSuper2) {
    // Group 0 plus at most the two groups named in s_backup_bgs.
    const named = [g.v.getUint32(0x24c, true), g.v.getUint32(0x250, true)].filter((n) => n > 0 && n < groups);
    return 1 + new Set(named).size;
  }
  if (!g.sparseSuper) return groups;
  let n = 0;
  for (let i = 0; i < groups; i++) if (i <= 1 || isPowerOf(i, 3) || isPowerOf(i, 5) || isPowerOf(i, 7)) n++;
  return n;
}

function isPowerOf(n: number, base: number): boolean {
  let x = base;
  while (x < n) x *= base;
  return x === n;
}
