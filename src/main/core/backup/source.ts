import { stat } from 'node:fs/promises';
import { KintsugiError, type ErrorCode } from '../../../shared/errors';
import type { PersistenceStoreInfo } from '../../../shared/model';
import { withMountedPersistence } from '../persistence/mount';

// A backup source or restore target is either a plain directory (e.g. the running system's /data) or a
// drive / image file holding a persistence store, which is mounted for the duration of the job.

export type MountPersistence = <T>(
  container: string,
  opts: { readOnly: boolean; includeLoop: boolean },
  fn: (mountpoint: string, store: PersistenceStoreInfo) => Promise<T>,
) => Promise<T>;

export interface ResolvedTree {
  /** The directory rsync reads from or writes to. */
  dir: string;
  /** What the user named: a directory, a drive or an image file. */
  given: string;
  description: string;
}

/**
 * Runs fn with a directory for `path`: the path itself when it is a directory, or the mounted persistence
 * store when it is a block device or an image file.
 */
export async function withTreeAt<T>(
  path: string,
  opts: {
    readOnly: boolean;
    includeLoop: boolean;
    mount?: MountPersistence;
    missingCode: ErrorCode;
    role: string;
  },
  fn: (tree: ResolvedTree) => Promise<T>,
): Promise<T> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new KintsugiError(opts.missingCode, `${opts.role} ${path} does not exist`);
  }
  if (st.isDirectory()) return fn({ dir: path, given: path, description: `directory ${path}` });
  if (st.isBlockDevice() || st.isFile()) {
    const mount = opts.mount ?? withMountedPersistence;
    return mount(path, { readOnly: opts.readOnly, includeLoop: opts.includeLoop }, (mountpoint, store) =>
      fn({ dir: mountpoint, given: path, description: describeStore(store) }),
    );
  }
  throw new KintsugiError(
    'INVALID_ARGUMENT',
    `${opts.role} ${path} is neither a directory, a drive nor an image file`,
  );
}

export function describeStore(store: PersistenceStoreInfo): string {
  const where =
    store.kind === 'file'
      ? `file ${store.innerPath ?? '?'}`
      : `partition ${store.partitionNumber ?? '?'}${store.label ? ` (label ${store.label})` : ''}`;
  return `persistence ${where} on ${store.container}`;
}
