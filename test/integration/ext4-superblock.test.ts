import { execa } from 'execa';
import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureTree } from '../../src/main/core/backup/space';
import {
  parseExt4Superblock,
  SUPERBLOCK_OFFSET,
  SUPERBLOCK_SIZE,
} from '../../src/main/core/persistence/ext4-superblock';
import { withMountedLoop } from '../helpers/loop';

// The superblock reader against filesystems made by the real mke2fs in several geometries, checked against what
// dumpe2fs (e2fsprogs' own reader) says, and against a real walk of the mounted tree.

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-ext4sb-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function mkfs(name: string, size: string, opts: string[]): Promise<string> {
  const file = join(work, name);
  await writeFile(file, '');
  await execa('truncate', ['-s', size, file]);
  await execa('mkfs.ext4', ['-q', '-F', ...opts, file]);
  return file;
}

async function superblockOf(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(SUPERBLOCK_SIZE);
    await fh.read(buf, 0, SUPERBLOCK_SIZE, SUPERBLOCK_OFFSET);
    return buf;
  } finally {
    await fh.close();
  }
}

async function dumpe2fs(file: string): Promise<Record<string, string>> {
  const { stdout } = await execa('dumpe2fs', ['-h', file], { stderr: 'ignore' });
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

// Geometries a persistence store may have: small 1 KiB-block ones (mke2fs' "small" type), 4 KiB blocks, 32-bit
// descriptors, no flex_bg, sparse_super2, meta_bg.
const GEOMETRIES: [string, string, string[]][] = [
  ['small', '64M', []],
  ['4k', '1G', ['-b', '4096']],
  ['no-64bit', '300M', ['-O', '^64bit']],
  ['no-flex-2k', '200M', ['-O', '^flex_bg', '-b', '2048']],
  ['sparse-super2', '100M', ['-O', 'sparse_super2']],
  ['meta-bg', '128M', ['-O', 'meta_bg,^resize_inode']],
];

describe('parseExt4Superblock', () => {
  it.each(GEOMETRIES)('%s: reads the counters dumpe2fs reads', async (name, size, opts) => {
    const file = await mkfs(`${name}.img`, size, opts);
    const u = parseExt4Superblock(await superblockOf(file));
    const d = await dumpe2fs(file);
    expect(u.blockSize).toBe(Number(d['Block size']));
    expect(u.blocksCount).toBe(Number(d['Block count']));
    expect(u.freeBlocks).toBe(Number(d['Free blocks']));
    expect(u.overheadSource).toBe('recorded');
    expect(u.overheadBlocks).toBe(Number(d['Overhead clusters']));
    // A fresh filesystem holds only its root directory and lost+found: a few blocks of data, two "files".
    expect(u.dataBytes).toBeLessThanOrEqual(64 * 1024);
    expect(u.usedInodes).toBe(1); // lost+found (the root's inode is among the reserved ones)
  });

  it.each(GEOMETRIES)(
    '%s: computes the overhead an older mke2fs did not record, to the block',
    async (name, size, opts) => {
      const file = await mkfs(`${name}-old.img`, size, opts);
      const recorded = parseExt4Superblock(await superblockOf(file)).overheadBlocks;
      // What an mke2fs before 1.46.5 leaves: no overhead recorded.
      await execa('debugfs', ['-w', '-R', 'ssv overhead_clusters 0', file], { stderr: 'ignore' });
      const u = parseExt4Superblock(await superblockOf(file));
      expect(u.overheadSource).toBe('computed');
      expect(u.overheadBlocks).toBe(recorded);
    },
  );

  it("counts a populated store's files as a walk of its mounted tree does", async () => {
    const file = await mkfs('populated.img', '96M', ['-b', '4096']);
    const walked = await withMountedLoop(file, {}, async (mnt) => {
      await writeFile(join(mnt, 'big.bin'), Buffer.alloc(20 * 1024 * 1024, 7));
      for (let i = 0; i < 300; i++) await writeFile(join(mnt, `small-${i}.txt`), `file ${i}\n`);
      await writeFile(join(mnt, 'sparse.img'), '');
      await truncate(join(mnt, 'sparse.img'), 50 * 1024 * 1024); // a hole: no blocks, nothing to copy
      return measureTree(mnt, undefined, 4096);
    });
    const u = parseExt4Superblock(await superblockOf(file));
    // The superblock counts the root and lost+found and the extent blocks a walk does not: a little more, never less.
    expect(u.dataBytes).toBeGreaterThanOrEqual(walked.allocatedBytes);
    expect(u.dataBytes - walked.allocatedBytes).toBeLessThan(256 * 1024);
    expect(u.usedInodes).toBe(walked.entries); // every entry below the root, as the walk counts them
  });

  it('refuses what is not an ext superblock, and counters that cannot be', async () => {
    expect(() => parseExt4Superblock(Buffer.alloc(SUPERBLOCK_SIZE))).toThrow(/magic/);
    expect(() => parseExt4Superblock(Buffer.alloc(100))).toThrow(/cut short/);
    const file = await mkfs('bad.img', '64M', []);
    const sb = await superblockOf(file);
    sb.writeUInt32LE(sb.readUInt32LE(0x04) + 1, 0x0c); // more free blocks than blocks
    expect(() => parseExt4Superblock(sb)).toThrow(/inconsistent/);
    expect((await readFile(file)).length).toBeGreaterThan(0);
  });
});
