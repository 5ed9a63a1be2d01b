// The last check before any byte is written, run by flash and again inside the privileged helper: DEVICE must be
// an existing whole-disk block device that passes every safety rule. Anything else throws the matching KintsugiError.
import { KintsugiError, type ErrorCode } from '../../../shared/errors';
import type { DriveInfo, SafetyIssue } from '../../../shared/model';
import { bootDisks } from './boot-device';
import { canonicalWholeDisk, isPathOnDrive } from './identity';
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
    throw new KintsugiError('DRIVE_LOOP_NOT_ALLOWED', `${canonical} is a loop device`);
  const drive = (await listDrives({ includeLoop: true })).find((d) => d.device === canonical);
  if (!drive)
    throw new KintsugiError('DRIVE_NOT_FOUND', `${device} (${canonical}) is not a disk that can be flashed`);

  // An image that cannot be located (not there yet) sits on no drive; flash reports the missing file itself.
  const holdsImage = opts.imagePath
    ? await isPathOnDrive(opts.imagePath, drive.device).catch(() => false)
    : false;
  const issues = assessDrive(drive, {
    includeLoop: opts.includeLoop,
    imageSize: opts.imageSize,
    imagePath: opts.imagePath,
    imageDevice: holdsImage ? drive.device : undefined,
    bootDisks: opts.bootDisks ?? (await bootDisks()),
  });
  const first = issues.find((i) => i.severity === 'block');
  if (first) throw new KintsugiError(CODE_FOR_ISSUE[first.code] ?? 'INVALID_ARGUMENT', first.message);
  return drive;
}
