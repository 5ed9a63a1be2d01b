// The backup step's "Needed": how much room backing up a drive's persistence store will take, known as soon as a
// drive is chosen. Read from the store's ext4 superblock (core/persistence/store-usage.ts), counted in the
// destination's blocks with the room check's margin (space.ts neededForStore). When it cannot be known here, the
// answer says why; the backup measures the store itself when it starts and stops before copying if room is short.
import { access, constants, statfs } from 'node:fs/promises';
import type { BackupNeed } from '../../../shared/backup/contract';
import { KintsugiError } from '../../../shared/errors';
import { listDrives } from '../drives/list-drives';
import { mountedStoreUsage, type MountedStoreUsage } from '../persistence/mounted-store-usage';
import { readStoreUsage } from '../persistence/store-usage';
import { freeSpaceNear } from '../util/free-space';
import { neededForStore } from './space';

/** The block size assumed before a destination is chosen: ext4's, btrfs's and xfs's usual one. */
export const USUAL_BLOCK = 4096;

export async function estimateStoreNeed(p: {
  source: string;
  destRoot?: string;
  includeLoop: boolean;
}): Promise<BackupNeed> {
  let found: MountedStoreUsage | undefined;
  try {
    await access(p.source, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM')
      return {
        known: false,
        reason: `${p.source} cannot be read (${code ?? String(err)}): is it still plugged in?`,
      };
    // Not ours to read (the app runs as the user): what the system mounted of it may still tell.
    const viaMounts = await storeOnMounts(p.source, p.includeLoop);
    if (!viaMounts)
      return {
        known: false,
        reason: `reading ${p.source} needs administrator rights, which are asked for only when the backup starts, and none of its partitions is open`,
        hint: 'Open the drive in the file manager (so the system mounts it) to see the figure now.',
      };
    found = viaMounts;
  }
  if (!found)
    try {
      found = await readStoreUsage(p.source, { includeLoop: p.includeLoop });
    } catch (err) {
      return {
        known: false,
        reason: err instanceof KintsugiError ? (err.detail ?? err.message) : `${p.source}: ${String(err)}`,
        ...(err instanceof KintsugiError ? { hint: err.hint } : {}),
      };
    }
  const { store, usage } = found;
  const dest = p.destRoot ? await destBlockSize(p.destRoot) : undefined;
  const destBlock = dest ?? USUAL_BLOCK;
  return {
    known: true,
    storeKind: store.kind,
    storeName:
      store.kind === 'file'
        ? `${store.innerPath} on partition ${store.partitionNumber}`
        : `partition ${store.partitionNumber ?? 1}${store.label ? ` "${store.label}"` : ''}`,
    storeSize: store.size,
    dataBytes: usage.dataBytes,
    files: usage.usedInodes,
    destBlock,
    destBlockAssumed: dest === undefined,
    neededBytes: neededForStore(usage, destBlock),
  };
}

/** The store as the system's mounts of the drive's partitions show it (partitions from lsblk: no rights needed). */
async function storeOnMounts(source: string, includeLoop: boolean): Promise<MountedStoreUsage | undefined> {
  try {
    const drive = (await listDrives({ includeLoop })).find((d) => d.device === source);
    return drive ? await mountedStoreUsage(source, drive.partitions) : undefined;
  } catch {
    return undefined;
  }
}

/** The block size of the filesystem the destination is on (of its nearest existing parent), if it can be read. */
async function destBlockSize(destRoot: string): Promise<number | undefined> {
  try {
    const near = await freeSpaceNear(destRoot);
    return (await statfs(near.path)).bsize || undefined;
  } catch {
    return undefined;
  }
}
