// Mounts the persistence store for a job and always cleans up: read-only (loop -r, mount -o ro) for backup so the
// source cannot change, read-write for restore. Every mount and loop is released in reverse order, even when fn throws.
// A store the system has already mounted (the desktop auto-mounts USB sticks) is used where it is, never mounted
// a second time, and left mounted afterwards.
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { PersistenceStoreInfo } from '../../../shared/model';
import { attachLoopDevice, mountAt, openRegion, stderrOf } from './block-access';
import { existingMount, type ExistingMount } from './existing-mount';
import { findPersistence } from './find';
import { readPartitionTable } from './partition-table';

export async function withMountedPersistence<T>(
  container: string,
  opts: { readOnly: boolean; includeLoop: boolean },
  fn: (mountpoint: string, store: PersistenceStoreInfo) => Promise<T>,
): Promise<T> {
  const store = await findPersistence(container, { includeLoop: opts.includeLoop });
  const cleanups: Cleanup[] = [];
  let result: T;
  try {
    const dir = await mountRegion(store, container, opts.readOnly, cleanups);
    let mountpoint = dir;
    if (store.kind === 'file') {
      const inner = await attachLoopDevice(join(dir, store.innerPath ?? ''), { readOnly: opts.readOnly });
      cleanups.push(inner.close);
      const m = await mountAt(inner.device, {
        readOnly: opts.readOnly,
        what: `${store.innerPath} on ${container}`,
      });
      cleanups.push(m.unmount);
      mountpoint = m.mountpoint;
    }
    result = await fn(mountpoint, store);
  } catch (err) {
    await releaseAll(cleanups, true).catch(() => undefined); // the first error is the one worth reporting
    throw err;
  }
  await releaseAll(cleanups, false);
  return result;
}

/**
 * The folder of the data partition that holds a .dat store (read-only), for reading the file without mounting
 * the store itself; mounted for `fn` only when the system has not mounted it already.
 */
export async function withDataPartition<T>(
  store: PersistenceStoreInfo,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  if (store.kind !== 'file') throw new Error('withDataPartition is for a .dat store');
  const cleanups: Cleanup[] = [];
  let result: T;
  try {
    result = await fn(await mountRegion(store, store.container, true, cleanups));
  } catch (err) {
    await releaseAll(cleanups, true).catch(() => undefined);
    throw err;
  }
  await releaseAll(cleanups, false);
  return result;
}

/**
 * The region's folder (the persistence partition, or the data partition holding persistence.dat): the system's own
 * mount when there is one (a desktop auto-mounts the stick; never mounted twice), else one of ours, whose release
 * is pushed on `cleanups`. The outer data partition must be writable for a restore: the loop over persistence.dat
 * writes through it.
 */
async function mountRegion(
  store: PersistenceStoreInfo,
  container: string,
  readOnly: boolean,
  cleanups: Cleanup[],
): Promise<string> {
  const region = {
    offset: store.offset ?? 0,
    size: store.kind === 'partition' ? store.size : await regionSize(store),
    node: await partitionNode(store),
  };
  const what = store.kind === 'partition' ? 'persistence partition' : 'data partition';
  const live = await existingMount(store.container, region);
  if (live) return usable(live, readOnly, `the ${what} of ${container}`);
  const dev = await openRegion(store.container, region, readOnly);
  cleanups.push(dev.close);
  const m = await mountAt(dev.device, { readOnly, what: `${what} of ${container}` });
  cleanups.push(m.unmount);
  return m.mountpoint;
}

/** An existing mount's folder, when it allows what the job needs: a restore cannot write where it is read-only. */
function usable(live: ExistingMount, readOnly: boolean, what: string): string {
  if (!readOnly && live.readOnly)
    throw new KintsugiError('MOUNT_FAILED', `${what} is open read-only at ${live.mountPoint}`, {
      hint: `Close it (eject it in the file manager, or umount ${live.mountPoint}), then retry.`,
    });
  return live.mountPoint;
}

/** Undoes one mount or attach; after a failure it may give up sooner (a stalled drive) and detach lazily. */
type Cleanup = (afterFailure: boolean) => Promise<void>;

async function releaseAll(cleanups: Cleanup[], afterFailure: boolean): Promise<void> {
  let first: unknown;
  for (const c of cleanups.reverse()) {
    try {
      await c(afterFailure);
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined)
    throw first instanceof KintsugiError
      ? first
      : new KintsugiError('MOUNT_FAILED', `cleanup failed: ${stderrOf(first)}`);
}

/** The partition's own node (/dev/sdb2) when the container is a block device whose node exists. */
async function partitionNode(store: PersistenceStoreInfo): Promise<string | undefined> {
  if (!store.partitionNumber || !store.container.startsWith('/dev/')) return undefined;
  const table = await readPartitionTable(store.container);
  return table?.partitions.find((p) => p.number === store.partitionNumber)?.node;
}

/** For a .dat store, the size recorded is the file's; the region to open is the whole data partition. */
async function regionSize(store: PersistenceStoreInfo): Promise<number> {
  const table = await readPartitionTable(store.container);
  const part = table?.partitions.find((p) => p.number === store.partitionNumber);
  if (!part)
    throw new KintsugiError(
      'PERSISTENCE_NOT_FOUND',
      `partition ${store.partitionNumber} of ${store.container} vanished`,
    );
  return part.size;
}
