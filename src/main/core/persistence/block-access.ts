// How persistence code reaches a partition: its node when the system made one (/dev/sdb2 on a desktop), otherwise
// a loop device over the byte range (these machines have no udev, so /dev/loop0p2 never appears), and how it mounts.
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { isBlockDevice } from '../drives/identity';
import { jobLog } from '../jobs/log-scope';
import { runTool } from '../util/run-tool';

export interface Region {
  offset: number;
  size: number;
  node?: string;
}

export interface Opened {
  device: string;
  /** Releases what was opened (detaches the loop); a no-op for an existing partition node. */
  close(): Promise<void>;
}

export async function openRegion(container: string, region: Region, readOnly: boolean): Promise<Opened> {
  if (region.node && region.node !== container && (await isBlockDevice(region.node)))
    return { device: region.node, close: async () => undefined };
  return attachLoopDevice(container, { offset: region.offset, sizeLimit: region.size, readOnly });
}

export async function attachLoopDevice(
  file: string,
  opts: { offset?: number; sizeLimit?: number; readOnly: boolean },
): Promise<Opened> {
  const args = ['-f', '--show'];
  if (opts.offset !== undefined) args.push('--offset', String(opts.offset));
  if (opts.sizeLimit !== undefined) args.push('--sizelimit', String(opts.sizeLimit));
  if (opts.readOnly) args.push('--read-only');
  let device: string;
  try {
    device = (await runTool('losetup', [...args, file])).stdout.trim();
  } catch (err) {
    if (err instanceof KintsugiError) throw err;
    throw new KintsugiError('MOUNT_FAILED', `losetup over ${file} failed: ${stderrOf(err)}`, { cause: err });
  }
  return { device, close: () => detachLoopDevice(device) };
}

async function detachLoopDevice(device: string): Promise<void> {
  // The kernel can report the loop busy for a moment right after umount.
  for (let attempt = 0; ; attempt++) {
    try {
      await runTool('losetup', ['-d', device]);
      return;
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface Mounted {
  mountpoint: string;
  /**
   * Unmounts, lazily when that fails or takes too long. `afterFailure`: the job already failed (a drive may
   * have stopped answering), so a read-write mount gets the short timeout too: whatever it still has to flush
   * is flushed by the kernel after the lazy detach, and the job must report now.
   */
  unmount(afterFailure?: boolean): Promise<void>;
}

/** Mounts DEVICE on a fresh temp dir. Read-only ext mounts retry with noload so no journal replay writes the drive. */
export async function mountAt(device: string, opts: { readOnly: boolean; what: string }): Promise<Mounted> {
  const mountpoint = await mkdtemp(join(tmpdir(), 'kintsugi-persist-'));
  const attempts = opts.readOnly
    ? [
        ['-o', 'ro'],
        ['-o', 'ro,noload'],
      ]
    : [['-o', 'rw']];
  let lastErr: unknown;
  for (const o of attempts) {
    try {
      await runTool('mount', [...o, device, mountpoint]);
      return {
        mountpoint,
        // Read-only: nothing to flush, so an umount that takes long is waiting on a drive that stopped answering.
        unmount: (afterFailure) =>
          unmountOrDetach(mountpoint, opts.readOnly || afterFailure ? 3_000 : UMOUNT_TIMEOUT_MS),
      };
    } catch (err) {
      lastErr = err;
    }
  }
  await rm(mountpoint, { recursive: true, force: true });
  if (lastErr instanceof KintsugiError) throw lastErr;
  throw new KintsugiError('MOUNT_FAILED', `mount ${device} (${opts.what}) failed: ${stderrOf(lastErr)}`, {
    cause: lastErr,
  });
}

/**
 * Unmounts, and never hangs the job on it: a plain umount gets UMOUNT_TIMEOUT_MS; when it fails (a shell or a file
 * manager still has a file open there, or a reader stuck on a drive that stopped answering) or stalls (umount
 * itself waiting on that drive: it is then abandoned, not awaited), the mount is detached lazily (`umount -l`:
 * gone from the tree now, released by the kernel when the last user lets go) and the job's log says so, naming
 * what is left. The folder is removed only once nothing is mounted on it.
 */
export async function unmountOrDetach(mountpoint: string, timeoutMs = UMOUNT_TIMEOUT_MS): Promise<void> {
  try {
    await runTool('umount', [mountpoint], { giveUpAfterMs: timeoutMs });
  } catch (err) {
    jobLog(
      `umount ${mountpoint} failed (${stderrOf(err).split('\n')[0]}): detached it lazily instead (umount -l); ` +
        'the kernel releases the filesystem, and its drive, once the last process using it has ended',
    );
    await runTool('umount', ['-l', mountpoint], { giveUpAfterMs: UMOUNT_TIMEOUT_MS });
  }
  // rmdir, never a recursive delete: should anything still be mounted here, its files must not be touched.
  await rmdir(mountpoint).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

const UMOUNT_TIMEOUT_MS = 15_000;

export function stderrOf(err: unknown): string {
  return String((err as { stderr?: unknown }).stderr ?? '').trim() || (err as Error)?.message || String(err);
}
