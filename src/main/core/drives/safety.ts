// Pure drive constraints (after Etcher's drive-constraints): each rule looks at plain data and says whether a drive
// may be flashed. The GUI shows every issue; resolve-target turns the first blocking one into an error.
import type { DriveInfo, SafetyIssue } from '../../../shared/model';

export interface SafetyContext {
  /** Decompressed image size in bytes, when known. */
  imageSize?: number;
  imagePath?: string;
  /** The block device holding the image file (a whole disk or one of its partitions/holders). */
  imageDevice?: string;
  /** Whole disks the running system booted from or keeps / , /boot or the data root on. */
  bootDisks: string[];
  includeLoop: boolean;
}

export function assessDrive(drive: DriveInfo, ctx: SafetyContext): SafetyIssue[] {
  const issues: SafetyIssue[] = [];
  const block = (code: SafetyIssue['code'], message: string) =>
    issues.push({ code, severity: 'block', message });
  if (drive.isSystem && !drive.isLoop) block('system', `${drive.device} is a system drive.`);
  if (ctx.bootDisks.includes(drive.device))
    block('boot', `The running system booted from ${drive.device} (or keeps /, /boot or its data on it).`);
  if (ctx.imageSize !== undefined && drive.size < ctx.imageSize)
    block('too-small', `${drive.device} holds ${drive.size} bytes; the image needs ${ctx.imageSize}.`);
  if (drive.isReadOnly) block('read-only', `${drive.device} is read-only.`);
  if (ctx.imageDevice !== undefined && devicesOf(drive).includes(ctx.imageDevice))
    block('holds-image', `${drive.device} holds the image${ctx.imagePath ? ` ${ctx.imagePath}` : ''}.`);
  if (drive.isLoop && !ctx.includeLoop)
    block('loop-hidden', `${drive.device} is a loop device; loop devices are not enabled.`);
  if (drive.mountpoints.length > 0)
    issues.push({
      code: 'mounted',
      severity: 'warn',
      message: `Mounted at ${drive.mountpoints.join(', ')}: it will be unmounted before writing.`,
    });
  return issues;
}

export function isSelectable(issues: SafetyIssue[]): boolean {
  return !issues.some((i) => i.severity === 'block');
}

/** The drive itself, its partitions and everything stacked on them (LUKS, LVM). */
function devicesOf(drive: DriveInfo): string[] {
  return [drive.device, ...drive.partitions.flatMap((p) => [p.path, ...p.holders.map((h) => h.path)])];
}
