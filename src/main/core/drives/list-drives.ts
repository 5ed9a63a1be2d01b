// Lists drives: lsblk's tree is the source of truth for partitions, holders and mountpoints; drivelist (whose Linux
// path also runs lsblk) adds its description and isSystem verdict. drivelist drops loop devices, so those come from
// lsblk alone, and only when the user opted in.
import { createRequire } from 'node:module';
import type { DriveInfo } from '../../../shared/model';
import { runTool } from '../util/run-tool';
import { LSBLK_COLUMNS, parseLsblk } from './parse-lsblk';

interface DrivelistDrive {
  device: string;
  description: string;
  isSystem: boolean;
  isRemovable: boolean;
  isReadOnly: boolean;
}

export async function readLsblk(devices: string[] = []): Promise<DriveInfo[]> {
  const { stdout } = await runTool('lsblk', ['--json', '--bytes', '-o', LSBLK_COLUMNS, ...devices]);
  return parseLsblk(stdout);
}

export async function listDrives(opts: { includeLoop: boolean }): Promise<DriveInfo[]> {
  const [drives, known] = await Promise.all([readLsblk(), drivelistDrives()]);
  const byDevice = new Map(known.map((d) => [d.device, d]));
  const out: DriveInfo[] = [];
  for (const d of drives) {
    if (d.isLoop && !opts.includeLoop) continue;
    const k = byDevice.get(d.device);
    out.push(
      k
        ? {
            ...d,
            description: meaningful(k.description) ?? d.description,
            isSystem: k.isSystem || d.isSystem,
            isRemovable: k.isRemovable || d.isRemovable,
            isReadOnly: k.isReadOnly || d.isReadOnly,
          }
        : d,
    );
  }
  return out;
}

/**
 * drivelist's description when it says something a person recognises. On some buses it is a bare PCI/USB id
 * ("0x1af4" for a virtio disk): then lsblk's model, or "Disk (labels)", reads better.
 */
export function meaningful(description: string | undefined): string | undefined {
  const d = description?.trim();
  if (!d || /^(0x)?[0-9a-f]{4}(:(0x)?[0-9a-f]{4})?$/i.test(d)) return undefined;
  return d;
}

/** drivelist, loaded lazily: its module loads a native binding at import time, which may be missing. */
async function drivelistDrives(): Promise<DrivelistDrive[]> {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('drivelist') as { list(): Promise<DrivelistDrive[]> };
    return await mod.list();
  } catch {
    try {
      // The Linux implementation without the binding (npm may have skipped the native build).
      const require = createRequire(import.meta.url);
      const mod = require('drivelist/js/lsblk') as { lsblk(): Promise<DrivelistDrive[]> };
      return await mod.lsblk();
    } catch {
      return [];
    }
  }
}
