// What a path IS and where it is STORED, by identity rather than by spelling. A device path can be spelled many
// ways (/dev/sdb, /./dev/sdb, /dev/disk/by-id/usb-..., a symlink in /tmp): the kernel's major:minor is the device,
// and /sys/dev/block/MAJ:MIN names it. A file or directory is stored on whatever block device its filesystem's
// st_dev leads to, through partitions, LUKS/LVM and loop devices. Every "is this the drive?" question in the app
// (flash target, backup source, restore target, image location, backup destination) goes through here.
import type { Stats } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { disksHoldingPath, splitDev } from './boot-device';

export interface BlockDevice {
  /** /dev/<kernel name>: the one spelling the rest of the app compares and runs. */
  device: string;
  /** Its /sys/devices/... directory. */
  sysDir: string;
  major: number;
  minor: number;
}

export async function isBlockDevice(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isBlockDevice();
  } catch {
    return false;
  }
}

/** Whatever PATH names, followed through symlinks, as the kernel's block device; throws for anything else. */
export async function canonicalBlockDevice(path: string): Promise<BlockDevice> {
  let st;
  try {
    st = await stat(path); // follows symlinks: the device a link points at is what would be opened
  } catch {
    throw new KintsugiError('DRIVE_NOT_FOUND', `${path} does not exist`);
  }
  if (!st.isBlockDevice()) throw new KintsugiError('DRIVE_NOT_WHOLE_DISK', `${path} is ${kindOf(st)}`);
  const { major, minor } = splitDev(st.rdev);
  let sysDir: string;
  try {
    sysDir = await realpath(join('/sys/dev/block', `${major}:${minor}`));
  } catch {
    throw new KintsugiError('DRIVE_NOT_FOUND', `${path} has no entry in /sys (device ${major}:${minor})`);
  }
  const device = `/dev/${basename(sysDir)}`;
  // The canonical name is what gets opened later: it must be the very same device, not a stale or foreign node.
  const named = await stat(device).catch(() => null);
  if (!named?.isBlockDevice() || named.rdev !== st.rdev)
    throw new KintsugiError(
      'DRIVE_NOT_FOUND',
      `${path} is device ${major}:${minor}, but ${device} is not that device on this system`,
    );
  return { device, sysDir, major, minor };
}

/** /dev/disk/by-id/... -> /dev/sdb; throws DRIVE_NOT_FOUND / DRIVE_NOT_WHOLE_DISK for anything but a whole disk. */
export async function canonicalWholeDisk(path: string): Promise<string> {
  const { device, sysDir } = await canonicalBlockDevice(path);
  const named = device === path ? device : `${path} (${device})`;
  const partition = await readFile(join(sysDir, 'partition'), 'utf8').catch(() => '');
  if (partition.trim())
    throw new KintsugiError(
      'DRIVE_NOT_WHOLE_DISK',
      `${named} is partition ${partition.trim()} of /dev/${basename(join(sysDir, '..'))}`,
    );
  if (basename(sysDir).startsWith('dm-'))
    throw new KintsugiError(
      'DRIVE_NOT_WHOLE_DISK',
      `${named} is a device-mapper volume (LUKS/LVM), not a disk`,
    );
  // A loop device that starts inside its backing file (`losetup -o`) is a window onto a partition of a disk image,
  // the loop equivalent of /dev/sdb2: writing a whole disk image into it is the same mistake.
  const loopOffset = Number(
    (await readFile(join(sysDir, 'loop', 'offset'), 'utf8').catch(() => '0')).trim() || '0',
  );
  if (loopOffset > 0) {
    const backing = (await readFile(join(sysDir, 'loop', 'backing_file'), 'utf8').catch(() => '')).trim();
    throw new KintsugiError(
      'DRIVE_NOT_WHOLE_DISK',
      `${named} is a loop device starting ${loopOffset} bytes into ${backing || 'its backing file'} (a partition's window), not a whole disk`,
    );
  }
  return device;
}

/**
 * Which of DISKS (canonical whole disks) hold PATH, a file or directory: its filesystem's device followed down to
 * whole disks (partition -> disk, LUKS/LVM -> slaves, loop -> the disk under its backing file). Loop devices add
 * one rule: two loop devices over the same backing file are the same storage. Without udev a "partition" of a loop
 * device is another loop device at an offset into the same file, so a directory on such a mount is on the drive.
 */
export async function whichDrivesHold(path: string, disks: string[]): Promise<Set<string>> {
  const under = await disksHoldingPath(path); // throws when PATH does not exist: the caller asked about nothing
  const underBacking = await Promise.all(under.filter(isLoopName).map(loopBackingIdentity));
  const held = new Set<string>();
  for (const disk of disks) {
    if (under.includes(disk)) {
      held.add(disk);
      continue;
    }
    // The disk itself as a loop's backing device (losetup /dev/sdb), or a loop sharing the disk's backing file.
    const same = [await blockIdentity(disk), isLoopName(disk) ? await loopBackingIdentity(disk) : undefined];
    if (underBacking.some((b) => b !== undefined && same.includes(b))) held.add(disk);
  }
  return held;
}

export async function isPathOnDrive(path: string, disk: string): Promise<boolean> {
  return (await whichDrivesHold(path, [disk])).has(disk);
}

function isLoopName(device: string): boolean {
  return /^\/dev\/loop\d+$/.test(device);
}

/** "blk:MAJ:MIN" for a block device: the same string whichever path names it. */
async function blockIdentity(device: string): Promise<string | undefined> {
  const st = await stat(device).catch(() => null);
  if (!st?.isBlockDevice()) return undefined;
  const { major, minor } = splitDev(st.rdev);
  return `blk:${major}:${minor}`;
}

/** What a loop device reads: "file:DEV:INO" of its backing file, or the backing device's blockIdentity. */
async function loopBackingIdentity(loop: string): Promise<string | undefined> {
  const raw = await readFile(join('/sys/block', basename(loop), 'loop/backing_file'), 'utf8').catch(() => '');
  const backing = raw.trim();
  if (!backing) return undefined;
  const st = await stat(backing).catch(() => null);
  // A backing file deleted or renamed since losetup ("... (deleted)"): its recorded name is all that is left.
  if (!st) return `name:${backing}`;
  if (st.isBlockDevice()) return blockIdentity(backing);
  return `file:${st.dev}:${st.ino}`;
}

function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  return 'not a block device';
}
