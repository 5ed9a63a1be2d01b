import { constants, type PathLike } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { allocAligned } from './aligned-buffer';

// Opening the target: exclusively (O_EXCL on a block device fails with EBUSY while anything, a mount included,
// holds it) and bypassing the page cache (O_DIRECT) so progress is real progress and a verify reads the medium,
// not RAM. Some platforms refuse O_DIRECT (EINVAL at open or at the first aligned write): then O_DSYNC, which
// still never reports bytes as written before the device has them.

export interface DeviceHandle {
  fh: FileHandle;
  direct: boolean;
  /** The unit every offset and length must be a multiple of. */
  blockSize: number;
  device: string;
}

const GONE_CODES = new Set(['EIO', 'ENXIO', 'ENODEV', 'ENOMEDIUM', 'ESHUTDOWN', 'ENOENT']);

/** The device's logical block size from sysfs; 512 when unknown (and never below 512, O_DIRECT's floor). */
export async function logicalBlockSize(device: string): Promise<number> {
  try {
    const n = Number(
      (await readFile(`/sys/class/block/${basename(device)}/queue/logical_block_size`, 'utf8')).trim(),
    );
    return Number.isInteger(n) && n >= 512 ? n : 512;
  } catch {
    return 512;
  }
}

async function tryOpen(path: PathLike, flags: number): Promise<FileHandle> {
  return open(path, flags);
}

/** Proves O_DIRECT works on this fd by reading the first block into an aligned buffer. */
async function probeDirect(fh: FileHandle, blockSize: number): Promise<boolean> {
  try {
    const buf = allocAligned(blockSize);
    await fh.read(buf, 0, blockSize, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return false;
    throw err;
  }
}

/**
 * 'write' and 'read-exclusive' hold the device exclusively (O_EXCL): while the handle is open no other program
 * (and no second flash) can open it for writing, nor mount it. 'read' shares it (a standalone verify).
 */
export async function openDevice(
  device: string,
  mode: 'write' | 'read' | 'read-exclusive',
): Promise<DeviceHandle> {
  const blockSize = await logicalBlockSize(device);
  // Writes need read access too: the tail of an image that does not end on a block boundary is merged with
  // what the device already holds there (read-modify-write) instead of being padded with zeros.
  const base =
    mode === 'write'
      ? constants.O_RDWR | constants.O_EXCL
      : constants.O_RDONLY | (mode === 'read-exclusive' ? constants.O_EXCL : 0);
  try {
    let fh: FileHandle | undefined;
    try {
      fh = await tryOpen(device, base | constants.O_DIRECT);
      if (await probeDirect(fh, blockSize)) return { fh, direct: true, blockSize, device };
      await fh.close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
      await fh?.close().catch(() => {});
    }
    fh = await tryOpen(device, base | (mode === 'write' ? constants.O_DSYNC : 0));
    return { fh, direct: false, blockSize, device };
  } catch (err) {
    throw ioError(err, device, `opening ${device}`);
  }
}

/** Maps an errno from the device to the error a user can act on. */
export function ioError(err: unknown, device: string, doing: string): KintsugiError {
  if (err instanceof KintsugiError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (code === 'EBUSY')
    return new KintsugiError(
      'DRIVE_UNMOUNT_FAILED',
      `${device} is busy (mounted or held by another program) while ${doing}`,
    );
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return new KintsugiError('DRIVE_READ_ONLY', `${device} refused ${doing}: ${code}`);
  // The image's size is checked against the drive's before writing: ENOSPC here is the drive refusing a write
  // inside its own advertised size — a failing or counterfeit drive, not an image too large.
  if (code === 'ENOSPC')
    return new KintsugiError(
      'FLASH_WRITE_FAILED',
      `${device} refused a write inside its advertised size (no space left) while ${doing}: it may be failing or smaller than it claims`,
    );
  if (GONE_CODES.has(code))
    return new KintsugiError('DRIVE_GONE', `${device} failed while ${doing}: ${code}`);
  return new KintsugiError('FLASH_WRITE_FAILED', `${doing} on ${device}: ${e?.message ?? String(err)}`);
}
