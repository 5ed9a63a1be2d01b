// The backup step's "Needed": how much room backing up a drive's persistence store will take, known as soon as a
// drive is chosen. Read from the store's ext4 superblock (core/persistence/store-usage.ts), counted in the
// destination's blocks with the room check's margin (space.ts neededForStore). When it cannot be known here, the
// answer says why; the backup measures the store itself when it starts and stops before copying if room is short.
import { access, constants, statfs } from 'node:fs/promises';
import type { BackupNeed } from '../../../shared/backup/contract';
import { KintsugiError } from '../../../shared/errors';
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
  try {
    await access(p.source, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      known: false,
      reason:
        code === 'EACCES' || code === 'EPERM'
          ? `reading ${p.source} needs administrator rights, which are asked for only when the backup starts`
          : `${p.source} cannot be read (${code ?? String(err)}): is it still plugged in?`,
    };
  }
  let found;
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

/** The block size of the filesystem the destination is on (of its nearest existing parent), if it can be read. */
async function destBlockSize(destRoot: string): Promise<number | undefined> {
  try {
    const near = await freeSpaceNear(destRoot);
    return (await statfs(near.path)).bsize || undefined;
  } catch {
    return undefined;
  }
}
