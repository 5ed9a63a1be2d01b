// The last check before any byte is written, run by flash and again inside the privileged helper: DEVICE must be
// an existing whole-disk block device that passes every safety rule. Anything else throws the matching KintsugiError.
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KintsugiError, type ErrorCode } from '../../../shared/errors';
import type { DriveInfo, SafetyIssue } from '../../../shared/model';
import { bootDisks, disksHoldingPath, splitDev } from './boot-device';
import { listDrives } from './list-drives';
import { assessDrive } from './safety';

const CODE_FOR_ISSUE: Partial<Record<SafetyIssue['code'], ErrorCode>> = {
  system: 'DRIVE_IS_SYSTEM',
  boot: 'DRIVE_IS_BOOT',
  'too-small': 'DRIVE_TOO_SMALL',
  'read-only': 'DRIVE_READ_ONLY',
  'holds-image': 'DRIVE_HOLDS_IMAGE',
  'loop-hidden': 'DRIVE_LOOP_NOT_ALLOWED',
  'not-whole-disk': 'DRIVE_NOT_WHOLE_DISK',
};

export async function resolveTargetDrive(
  device: string,
  opts: { includeLoop: boolean; imageSize?: number; imagePath?: string; bootDisks?: string[] },
): Promise<DriveInfo> {
  const canonical = await canonicalWholeDisk(device);
  if (/^\/dev\/loop\d+$/.test(canonical) && !opts.includeLoop)
    throw new KintsugiError('DRIVE_LOOP_NOT_ALLOWED', `${device} is a loop device`);
  const drive = (await listDrives({ includeLoop: true })).find((d) => d.device === canonical);
  if (!drive)
    throw new KintsugiError('DRIVE_NOT_FOUND', `${device} (${canonical}) is not a disk that can be flashed`);

  const imageDisks = opts.imagePath ? await disksHoldingPath(opts.imagePath).catch(() => []) : [];
  const issues = assessDrive(drive, {
    includeLoop: opts.includeLoop,
    imageSize: opts.imageSize,
    imagePath: opts.imagePath,
    imageDevice: imageDisks.includes(drive.device) ? drive.device : imageDisks[0],
    bootDisks: opts.bootDisks ?? (await bootDisks()),
  });
  const first = issues.find((i) => i.severity === 'block');
  if (first) throw new KintsugiError(CODE_FOR_ISSUE[first.code] ?? 'INVALID_ARGUMENT', first.message);
  return drive;
}

/** /dev/disk/by-id/... -> /dev/sdb; throws DRIVE_NOT_FOUND / DRIVE_NOT_WHOLE_DISK for anything but a whole disk. */
export async function canonicalWholeDisk(device: string): Promise<string> {
  let st;
  try {
    st = await stat(device);
  } catch {
    throw new KintsugiError('DRIVE_NOT_FOUND', `${device} does not exist`);
  }
  if (!st.isBlockDevice()) {
    const what = st.isFile()
      ? 'a regular file'
      : st.isCharacterDevice()
        ? 'a character device'
        : st.isDirectory()
          ? 'a directory'
          : 'not a block device';
    throw new KintsugiError('DRIVE_NOT_WHOLE_DISK', `${device} is ${what}`);
  }
  const { major, minor } = splitDev(st.rdev);
  let sysDir: string;
  try {
    sysDir = await realpath(join('/sys/dev/block', `${major}:${minor}`));
  } catch {
    throw new KintsugiError('DRIVE_NOT_FOUND', `${device} has no entry in /sys (device ${major}:${minor})`);
  }
  const name = basename(sysDir);
  const partition = await readFile(join(sysDir, 'partition'), 'utf8').catch(() => '');
  if (partition.trim())
    throw new KintsugiError(
      'DRIVE_NOT_WHOLE_DISK',
      `${device} is partition ${partition.trim()} of /dev/${basename(join(sysDir, '..'))}`,
    );
  if (name.startsWith('dm-'))
    throw new KintsugiError(
      'DRIVE_NOT_WHOLE_DISK',
      `${device} is a device-mapper volume (LUKS/LVM), not a disk`,
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
      `${device} is a loop device starting ${loopOffset} bytes into ${backing || 'its backing file'} (a partition's window), not a whole disk`,
    );
  }
  return `/dev/${name}`;
}
