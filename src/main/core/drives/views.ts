// What the GUI's drive list shows: every drive with its safety issues and whether it can be chosen.
import type { DriveInfo, DriveView } from '../../../shared/model';
import { bootDisks as findBootDisks } from './boot-device';
import { whichDrivesHold } from './identity';
import { assessDrive, isSelectable, type SafetyContext } from './safety';

/** Pure: drives + a complete context -> views. */
export function buildDriveViews(drives: DriveInfo[], ctx: SafetyContext): DriveView[] {
  return drives.map((d) => {
    const issues = assessDrive(d, ctx);
    return { ...d, issues, selectable: isSelectable(issues) };
  });
}

/** Fills in the boot disks and the disk holding the image from this machine, then builds the views. */
export async function driveViews(
  drives: DriveInfo[],
  ctx: { includeLoop: boolean; imageSize?: number; imagePath?: string; bootDisks?: string[] },
): Promise<DriveView[]> {
  const boot = ctx.bootDisks ?? (await findBootDisks());
  const holding = ctx.imagePath
    ? await whichDrivesHold(
        ctx.imagePath,
        drives.map((d) => d.device),
      ).catch(() => new Set<string>())
    : new Set<string>();
  return drives.map((d) => {
    // imageDevice is per drive so an image on a volume spanning several disks blocks all of them.
    const imageDevice = holding.has(d.device) ? d.device : undefined;
    const [view] = buildDriveViews([d], { ...ctx, bootDisks: boot, imageDevice });
    return view as DriveView;
  });
}
