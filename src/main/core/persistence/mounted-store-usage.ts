// The persistence store's usage through the system's own mounts of the drive's partitions, for a process that may
// not read the drive itself (the desktop app's main runs as the user; /dev/sdb is root:disk 0660). A desktop
// auto-mounts a stick's partitions as the user: a persistence partition's statfs gives what it uses (ext4 leaves
// its own structures out of statfs), and a Ventoy data partition's persistence*.dat can be read as a file.
// The partition list comes from lsblk (drives/list-drives.ts), which needs no rights either.
import { readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionInfo, PersistenceStoreInfo } from '../../../shared/model';
import { parseExt4Superblock } from './ext4-superblock';
import { DATA_FS, DAT_NAME, PERSISTENCE_LABELS } from './find';
import { readSuperblock } from './store-usage';

export interface MountedStoreUsage {
  store: PersistenceStoreInfo;
  usage: { dataBytes: number; blockSize: number; usedInodes: number };
}

/** The store found on a mounted partition of `container`, or undefined when no mounted partition holds one. */
export async function mountedStoreUsage(
  container: string,
  partitions: PartitionInfo[],
): Promise<MountedStoreUsage | undefined> {
  for (const p of partitions) {
    const dir = p.mountpoints[0];
    if (!dir || !p.label || !PERSISTENCE_LABELS.includes(p.label)) continue;
    const s = await statfs(dir);
    return {
      store: { kind: 'partition', container, label: p.label, fsType: p.fsType, ...number(p), size: p.size },
      usage: {
        dataBytes: (s.blocks - s.bfree) * s.bsize,
        blockSize: s.bsize,
        usedInodes: s.files > 0 ? s.files - s.ffree : 0,
      },
    };
  }
  for (const p of partitions) {
    const dir = p.mountpoints[0];
    if (!dir || !p.fsType || !DATA_FS.has(p.fsType)) continue;
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => DAT_NAME.test(n)).sort();
    for (const name of names) {
      const file = join(dir, name);
      const st = await stat(file);
      if (!st.isFile()) continue;
      let usage;
      try {
        usage = parseExt4Superblock(await readSuperblock(file, 0));
      } catch {
        continue; // not an ext4 store (the same rule as find.ts: only ext4 .dat files are stores)
      }
      return {
        store: { kind: 'file', container, fsType: 'ext4', ...number(p), size: st.size, innerPath: name },
        usage,
      };
    }
  }
  return undefined;
}

/** The partition number from its node's name (/dev/sdb2, /dev/nvme0n1p2, /dev/mmcblk0p1). */
function number(p: PartitionInfo): { partitionNumber?: number } {
  const m = /(\d+)$/.exec(p.path);
  return m ? { partitionNumber: Number(m[1]) } : {};
}
