import { describe, expect, it } from 'vitest';
import { assertFitFilesystem, unfitFilesystem } from '../../src/main/core/backup/dest-fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatBytes,
  isSparse,
  measureTree,
  neededOnDest,
  requiredBytes,
  roomShortfall,
} from '../../src/main/core/backup/space';
import { KintsugiError } from '../../src/shared/errors';

const MiB = 1024 * 1024;
const tree = (allocatedBytes: number, dirs = 0) => ({
  allocatedBytes,
  apparentBytes: allocatedBytes,
  entries: dirs + 1,
  dirs,
});

describe('requiredBytes', () => {
  it('needs the allocated size plus a margin for a full backup', () => {
    const need = requiredBytes(tree(100 * MiB));
    expect(need).toBeGreaterThan(100 * MiB);
    expect(need).toBeLessThan(103 * MiB);
  });

  it('needs only the transferred bytes (plus directories) for an incremental backup', () => {
    const need = requiredBytes(tree(100 * MiB, 10), 1 * MiB);
    expect(need).toBeGreaterThan(MiB + 10 * 4096);
    expect(need).toBeLessThan(2 * MiB);
  });

  it('never needs more than a full copy, even when rsync would transfer more apparent bytes (sparse files)', () => {
    expect(requiredBytes(tree(4 * MiB), 500 * MiB)).toBe(requiredBytes(tree(4 * MiB)));
  });
});

describe('neededOnDest', () => {
  const file = (size: number, blocks: number) => ({
    size,
    blocks,
    isDirectory: () => false,
    isFile: () => true,
  });
  it('counts every non-empty file as at least one destination block, however its source stored it', () => {
    expect(neededOnDest(file(50, 0), 4096)).toBe(4096); // inline data on the source: no block there
    expect(neededOnDest(file(50, 8), 65536)).toBe(65536); // a 64 KiB-cluster destination
    expect(neededOnDest(file(0, 0), 4096)).toBe(0);
    expect(neededOnDest(file(10_000, 24), 4096)).toBe(12288);
  });
  it('keeps sparse files sparse: their allocation, in whole blocks, not their apparent size', () => {
    expect(neededOnDest(file(1024 ** 3, 16), 4096)).toBe(8192);
  });
  it('calls a file sparse when a whole 4 KiB block of it is a hole, not a small file stored inline', () => {
    expect(isSparse(file(1024 ** 3, 16))).toBe(true);
    expect(isSparse(file(8192, 8))).toBe(true);
    expect(isSparse(file(60, 0))).toBe(false); // ext4 inline data: no block at all
    expect(isSparse(file(4095, 0))).toBe(false);
    expect(isSparse(file(10_000, 24))).toBe(false);
    expect(isSparse({ ...file(1024 ** 3, 16), isFile: () => false })).toBe(false);
  });
  it("measures a tree of small files in the destination's blocks", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kintsugi-space-'));
    try {
      for (let i = 0; i < 300; i++) await writeFile(join(dir, `f${i}`), 'small\n');
      const t = await measureTree(dir, undefined, 65536);
      expect(t.allocatedBytes).toBeGreaterThanOrEqual(300 * 65536);
      expect(t.apparentBytes).toBe(300 * 6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('roomShortfall', () => {
  const free = { availableBytes: 10 * MiB, freeInodes: 100, fsType: 0xef53 };
  it('accepts a need that fits', () => {
    expect(roomShortfall({ requiredBytes: 10 * MiB, requiredInodes: 100 }, free)).toBeUndefined();
  });
  it('names bytes, then inodes, when they do not fit', () => {
    expect(roomShortfall({ requiredBytes: 10 * MiB + 1 }, free)).toBe('needs 10.0 MiB, only 10.0 MiB free');
    expect(roomShortfall({ requiredBytes: MiB, requiredInodes: 101 }, free)).toBe(
      'needs 101 inodes, only 100 free',
    );
  });
  it('skips the inode check where the filesystem does not count inodes', () => {
    expect(
      roomShortfall({ requiredBytes: MiB, requiredInodes: 1e9 }, { ...free, freeInodes: undefined }),
    ).toBeUndefined();
  });
});

describe('destination filesystem', () => {
  it('knows FAT, exFAT, NTFS and FUSE as unfit, ext4/btrfs/xfs/tmpfs as fit', () => {
    expect(unfitFilesystem(0x4d44)).toMatch(/FAT/);
    expect(unfitFilesystem(0x2011bab0)).toBe('exFAT');
    expect(unfitFilesystem(0x65735546)).toMatch(/FUSE/);
    for (const ok of [0xef53, 0x9123683e, 0x58465342, 0x01021994])
      expect(unfitFilesystem(ok)).toBeUndefined();
  });
  it('throws INVALID_ARGUMENT naming the path', () => {
    expect(() => assertFitFilesystem('/media/usb', 0x2011bab0)).toThrow(KintsugiError);
    try {
      assertFitFilesystem('/media/usb', 0x2011bab0);
    } catch (e) {
      expect((e as KintsugiError).code).toBe('INVALID_ARGUMENT');
      expect((e as KintsugiError).detail).toContain('/media/usb is on exFAT');
    }
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * MiB)).toBe('5.0 MiB');
  });
});
