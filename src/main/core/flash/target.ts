import type { DriveInfo } from '../../../shared/model';
import { resolveTargetDrive } from '../drives/resolve-target';
import { unmountDrive } from '../drives/unmount';

// The drive-side steps flash and verify need, gathered so tests and the benchmark can see what is called and the
// drives domain stays the only place that decides whether a device may be written.

export interface TargetDeps {
  resolveTargetDrive(
    device: string,
    opts: { includeLoop: boolean; imageSize?: number; imagePath?: string },
  ): Promise<DriveInfo>;
  unmountDrive(drive: DriveInfo): Promise<string[]>;
}

export const defaultTargetDeps: TargetDeps = { resolveTargetDrive, unmountDrive };
