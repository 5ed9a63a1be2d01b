// Pure: turns `lsblk --json --bytes -o NAME,PATH,TYPE,SIZE,RO,RM,LABEL,FSTYPE,MOUNTPOINTS,PKNAME,TRAN,MODEL` into
// DriveInfo[] (whole disks and loop devices), with every mountpoint followed through partitions, LUKS mappings and
// LVM volumes, because a drive is only safe to overwrite once nothing anywhere below it is mounted.
import type { DriveInfo, PartitionInfo } from '../../../shared/model';

export const LSBLK_COLUMNS = 'NAME,PATH,TYPE,SIZE,RO,RM,LABEL,FSTYPE,MOUNTPOINTS,PKNAME,TRAN,MODEL';

export interface LsblkDevice {
  name: string;
  path?: string | null;
  type: string;
  size?: number | string | null;
  ro?: boolean | string | number | null;
  rm?: boolean | string | number | null;
  label?: string | null;
  fstype?: string | null;
  /** util-linux >= 2.37; older versions print a single `mountpoint`. */
  mountpoints?: (string | null)[] | null;
  mountpoint?: string | null;
  pkname?: string | null;
  tran?: string | null;
  model?: string | null;
  children?: LsblkDevice[];
}

/** Names lsblk lists as disks that are never a flash target (RAM-backed, optical). */
const NEVER_TARGETS = /^(zram|ram|sr|fd)\d/;

export function parseLsblk(input: string | { blockdevices?: LsblkDevice[] }): DriveInfo[] {
  const doc = typeof input === 'string' ? (JSON.parse(input) as { blockdevices?: LsblkDevice[] }) : input;
  const drives: DriveInfo[] = [];
  for (const dev of doc.blockdevices ?? []) {
    if (dev.type !== 'disk' && dev.type !== 'loop') continue;
    if (NEVER_TARGETS.test(dev.name)) continue;
    const size = toNumber(dev.size);
    if (size <= 0) continue; // detached loop devices and empty card readers report 0
    drives.push(toDrive(dev, size));
  }
  return drives;
}

function toDrive(dev: LsblkDevice, size: number): DriveInfo {
  const isLoop = dev.type === 'loop';
  const isRemovable = toBool(dev.rm) || dev.tran === 'usb';
  const partitions: PartitionInfo[] = [];
  const own = mountpointsOf(dev);
  // A disk with a filesystem directly on it (no partition table) still has "holders" such as LUKS on the raw disk.
  const direct: PartitionInfo['holders'] = [];
  for (const child of dev.children ?? []) {
    if (child.type === 'part') partitions.push(toPartition(child));
    else collectHolders(child, direct);
  }
  const mountpoints = unique([
    ...own,
    ...direct.flatMap((h) => h.mountpoints),
    ...partitions.flatMap((p) => [...p.mountpoints, ...p.holders.flatMap((h) => h.mountpoints)]),
  ]);
  return {
    device: dev.path ?? `/dev/${dev.name}`,
    description: describe(dev, isLoop),
    size,
    isLoop,
    // Heuristic (drivelist's): fixed, non-USB disks are system disks. list-drives prefers drivelist's own answer.
    isSystem: !isLoop && !isRemovable,
    isRemovable,
    isReadOnly: toBool(dev.ro),
    partitions,
    mountpoints,
  };
}

function toPartition(dev: LsblkDevice): PartitionInfo {
  const holders: PartitionInfo['holders'] = [];
  for (const child of dev.children ?? []) collectHolders(child, holders);
  return {
    path: dev.path ?? `/dev/${dev.name}`,
    label: dev.label ?? undefined,
    fsType: dev.fstype ?? undefined,
    size: toNumber(dev.size),
    mountpoints: mountpointsOf(dev),
    holders,
  };
}

/** Depth-first, children before parents: the order they must be unmounted in. */
function collectHolders(dev: LsblkDevice, out: PartitionInfo['holders']): void {
  for (const child of dev.children ?? []) collectHolders(child, out);
  const path = dev.path ?? `/dev/mapper/${dev.name}`;
  if (!out.some((h) => h.path === path)) out.push({ path, type: dev.type, mountpoints: mountpointsOf(dev) });
}

function mountpointsOf(dev: LsblkDevice): string[] {
  const list = dev.mountpoints ?? (dev.mountpoint !== undefined ? [dev.mountpoint] : []);
  return list.filter((m): m is string => typeof m === 'string' && m.length > 0);
}

function describe(dev: LsblkDevice, isLoop: boolean): string {
  const model = dev.model?.trim();
  if (model) return model;
  if (isLoop) return 'Loop device';
  const labels = (dev.children ?? []).map((c) => c.label).filter((l): l is string => !!l);
  return labels.length ? `Disk (${labels.join(', ')})` : 'Disk';
}

function toBool(v: boolean | string | number | null | undefined): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}

function toNumber(v: number | string | null | undefined): number {
  const n = typeof v === 'string' ? Number(v) : (v ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
