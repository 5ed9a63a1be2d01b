// Finds the persistence store on a drive or in an uncompressed image: first a partition whose filesystem label is
// persistence / casper-rw / writable, then (Ventoy layout) a persistence*.dat ext4 file in the root of a data
// partition. Only reads: labels are probed with blkid, data partitions are mounted read-only from read-only loops.
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { PersistenceStoreInfo } from '../../../shared/model';
import { canonicalWholeDisk } from '../drives/identity';
import { detectFileCompression } from '../image/detect-compression';
import { mountAt, openRegion, stderrOf } from './block-access';
import { existingMount } from './existing-mount';
import { readPartitionTable, type TablePartition } from './partition-table';
import { probeRegion } from './probe';
import { runTool } from '../util/run-tool';

export const PERSISTENCE_LABELS = ['persistence', 'casper-rw', 'writable'];
export const DAT_NAME = /^persistence.*\.dat$/i;
/** Filesystems a Ventoy-style data partition may use and Linux can mount. */
export const DATA_FS = new Set(['exfat', 'vfat', 'ntfs', 'ntfs3', 'ext2', 'ext3', 'ext4', 'btrfs', 'xfs']);

export async function findPersistence(
  container: string,
  opts: { includeLoop: boolean },
): Promise<PersistenceStoreInfo> {
  const target = await checkContainer(container, opts);
  const table = await readPartitionTable(target);
  // No partition table: the whole drive or image may be the filesystem itself.
  const parts: TablePartition[] = table?.partitions ?? [
    { number: 0, node: target, offset: 0, size: (await sizeOf(target)) ?? 0, type: '' },
  ];
  const seen: string[] = [];
  const probes = [];
  for (const p of parts) {
    const fs = await probeRegion(target, { offset: p.offset, size: p.size });
    probes.push({ p, fs });
    seen.push(`partition ${p.number}: ${fs.type ?? 'no filesystem'}${fs.label ? ` "${fs.label}"` : ''}`);
    if (fs.label && PERSISTENCE_LABELS.includes(fs.label))
      return {
        kind: 'partition',
        container: target,
        label: fs.label,
        fsType: fs.type,
        ...(p.number > 0 ? { partitionNumber: p.number } : {}),
        offset: p.offset,
        size: p.size,
      };
  }
  const unreadable: string[] = [];
  for (const { p, fs } of probes) {
    if (!fs.type || !DATA_FS.has(fs.type)) continue;
    const found = await findDatFile(target, p, fs.type);
    if (found && 'unmountable' in found)
      unreadable.push(`partition ${p.number} (${fs.type}): ${found.unmountable}`);
    else if (found) return found;
  }
  // A data partition this system cannot mount (exFAT on a kernel without it, say) may hold the store: say that,
  // rather than claim there is none.
  if (unreadable.length)
    throw new KintsugiError(
      'MOUNT_FAILED',
      `${container}: no partition labelled ${PERSISTENCE_LABELS.join('/')}, and ${unreadable.join('; ')} — a persistence*.dat file there cannot be looked for`,
      {
        hint: 'Install support for that filesystem (for exFAT: a kernel with exfat, or exfat-fuse), or back the store up on another computer.',
      },
    );
  throw new KintsugiError(
    'PERSISTENCE_NOT_FOUND',
    `${container}: ${seen.join('; ') || 'no partitions'}; no partition labelled ${PERSISTENCE_LABELS.join('/')} and no persistence*.dat ext4 file`,
  );
}

/** The .dat store in a data partition, null when there is none, or why the partition could not be looked into. */
async function findDatFile(
  container: string,
  p: TablePartition,
  fsType: string,
): Promise<PersistenceStoreInfo | { unmountable: string } | null> {
  // Mounted already (the desktop auto-mounts the stick's data partition): look there.
  const live = await existingMount(container, p);
  if (live) return datIn(live.mountPoint, container, p);
  const dev = await openRegion(container, p, true);
  try {
    let mounted;
    try {
      mounted = await mountAt(dev.device, {
        readOnly: true,
        what: `partition ${p.number} (${fsType}) of ${container}`,
      });
    } catch (err) {
      return { unmountable: `cannot be mounted here (${stderrOf(err).split('\n')[0]})` };
    }
    try {
      return await datIn(mounted.mountpoint, container, p);
    } finally {
      await mounted.unmount();
    }
  } finally {
    await dev.close();
  }
}

async function datIn(
  dir: string,
  container: string,
  p: TablePartition,
): Promise<PersistenceStoreInfo | null> {
  const names = (await readdir(dir)).filter((n) => DAT_NAME.test(n)).sort();
  for (const name of names) {
    const file = join(dir, name);
    const st = await stat(file);
    if (!st.isFile()) continue;
    const fs = await probeRegion(file);
    if (fs.type !== 'ext4') continue;
    return {
      kind: 'file',
      container,
      label: fs.label,
      fsType: fs.type,
      partitionNumber: p.number,
      offset: p.offset,
      size: st.size,
      innerPath: name,
    };
  }
  return null;
}

/** Accepts an image file or a whole-disk block device (loop devices only with the opt-in). */
async function checkContainer(container: string, opts: { includeLoop: boolean }): Promise<string> {
  let st;
  try {
    st = await stat(container);
  } catch {
    throw new KintsugiError('PERSISTENCE_NOT_FOUND', `${container} does not exist`);
  }
  if (st.isBlockDevice()) {
    const disk = await canonicalWholeDisk(container);
    if (/^\/dev\/loop\d+$/.test(disk) && !opts.includeLoop)
      throw new KintsugiError('DRIVE_LOOP_NOT_ALLOWED', `${container} is a loop device`);
    return disk;
  }
  if (!st.isFile())
    throw new KintsugiError('INVALID_ARGUMENT', `${container} is neither a drive nor an image file`);
  const compressed = await detectFileCompression(container);
  if (compressed !== 'none')
    throw new KintsugiError(
      'PERSISTENCE_NOT_FOUND',
      `${container} is ${compressed}-compressed; look inside the decompressed image`,
    );
  return container;
}

async function sizeOf(path: string): Promise<number | null> {
  const fh = await open(path, 'r');
  try {
    // A block device's stat().size is 0; blockdev asks the kernel instead.
    const st = await fh.stat();
    if (st.size > 0) return st.size;
    const { stdout } = await runTool('blockdev', ['--getsize64', path]);
    return Number(stdout.trim());
  } finally {
    await fh.close();
  }
}
