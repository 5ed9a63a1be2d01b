import { stat } from 'node:fs/promises';
import { KintsugiError, type ErrorCode } from '../../../shared/errors';
import type { PersistenceStoreInfo } from '../../../shared/model';
import { withMountedPersistence } from '../persistence/mount';

// A backup source or restore target is either a plain directory (e.g. the running system's /data) or a
// drive / image file holding a persistence store, which is mounted for the duration of the job.
//
// Mounting is root's power. A caller that is root on its own behalf (the CLI under sudo) may name any of the
// three; a process that is root on someone else's behalf (the privileged helper) must only ever mount a drive:
// mounting a regular file the caller names lets them feed the kernel a crafted filesystem, and copying a
// directory they name reads or writes wherever root can. 'device-only' is that rule, as an option per call and
// as a one-way switch for a whole process (the helper throws it at startup, so no code path in it can forget).

/** What withTreeAt accepts: 'any' = a directory, a drive or an image file; 'device-only' = a block device. */
export type TreeAllow = 'any' | 'device-only';

let processAllow: TreeAllow = 'any';

/** From now on, in this process, withTreeAt accepts block devices only, whatever a caller asks for. */
export function allowOnlyDevicesInThisProcess(): void {
  processAllow = 'device-only';
}

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
 * store when it is a block device or an image file. With `allow: 'device-only'` (or in a process that called
 * allowOnlyDevicesInThisProcess) anything but a block device is refused before anything is mounted.
 */
export async function withTreeAt<T>(
  path: string,
  opts: {
    readOnly: boolean;
    includeLoop: boolean;
    mount?: MountPersistence;
    missingCode: ErrorCode;
    role: string;
    allow?: TreeAllow;
  },
  fn: (tree: ResolvedTree) => Promise<T>,
): Promise<T> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new KintsugiError(opts.missingCode, `${opts.role} ${path} does not exist`);
  }
  const deviceOnly = processAllow === 'device-only' || opts.allow === 'device-only';
  if (deviceOnly && !st.isBlockDevice())
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${opts.role} ${path} is ${st.isDirectory() ? 'a directory' : st.isFile() ? 'a regular file' : 'not a drive'}; only a drive is accepted here`,
      {
        hint: 'Choose the drive itself (e.g. /dev/sdb). Folders and image files are handled by `sudo kintsugi`.',
      },
    );
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
