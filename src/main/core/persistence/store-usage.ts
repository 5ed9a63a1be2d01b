// How full a drive's (or an uncompressed image's) persistence store is, read from its ext4 superblock without
// mounting the store: for a persistence partition straight from the drive, for a Ventoy persistence*.dat from the
// file in its data partition (the desktop's mount of that partition when there is one). Only reads.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { PersistenceStoreInfo } from '../../../shared/model';
import { parseExt4Superblock, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE, type Ext4Usage } from './ext4-superblock';
import { findPersistence } from './find';
import { withDataPartition } from './mount';

export interface StoreUsage {
  store: PersistenceStoreInfo;
  usage: Ext4Usage;
}

export async function readStoreUsage(container: string, opts: { includeLoop: boolean }): Promise<StoreUsage> {
  const store = await findPersistence(container, opts);
  const sb =
    store.kind === 'partition'
      ? await readSuperblock(store.container, store.offset ?? 0)
      : await withDataPartition(store, (dir) => readSuperblock(join(dir, store.innerPath ?? ''), 0));
  try {
    return { store, usage: parseExt4Superblock(sb) };
  } catch (err) {
    throw new KintsugiError(
      'PERSISTENCE_NOT_FOUND',
      `the persistence store on ${container} (${store.fsType ?? 'unknown filesystem'}) cannot be measured without mounting it: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

export async function readSuperblock(path: string, fsStart: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SUPERBLOCK_SIZE);
    const { bytesRead } = await fh.read(buf, 0, SUPERBLOCK_SIZE, fsStart + SUPERBLOCK_OFFSET);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
