// Which whole disks the running system lives on, read from /proc/self/mountinfo and sysfs rather than trusting
// drivelist's isSystem guess: a Kintsugi drive is removable USB, and the user may well have booted from it.
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { exists } from '../util/exists';

export interface MountInfoEntry {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  root: string;
  mountPoint: string;
  /** Per-mount options (field 6: ro/rw, relatime...). */
  options: string[];
  fsType: string;
  source: string;
}

/** Mountpoints that tie a disk to the running system: its root, boot files, data, and live-boot media. */
export const SYSTEM_MOUNTPOINTS = [
  '/',
  '/boot',
  '/boot/efi',
  '/data',
  '/home',
  '/usr',
  '/var',
  '/run/live/medium', // Debian live-boot
  '/run/live/persistence',
  '/lib/live/mount/medium',
  '/cdrom', // Ubuntu casper
  '/run/initramfs/live', // dracut live
  '/run/archiso/bootmnt',
];

/** Pure parser for /proc/self/mountinfo (proc(5)); mountpoints and sources have \040-style escapes undone. */
export function parseMountinfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 3) continue;
    const [maj, min] = (fields[2] ?? '').split(':').map(Number);
    out.push({
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      major: maj ?? 0,
      minor: min ?? 0,
      root: unescapeMount(fields[3] ?? ''),
      mountPoint: unescapeMount(fields[4] ?? ''),
      options: (fields[5] ?? '').split(','),
      fsType: fields[dash + 1] ?? '',
      source: unescapeMount(fields[dash + 2] ?? ''),
    });
  }
  return out;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Pure: the mount entries a system disk is recognised by (the last mount on a path wins, as the kernel does). */
export function systemMounts(
  entries: MountInfoEntry[],
  paths: string[] = SYSTEM_MOUNTPOINTS,
): MountInfoEntry[] {
  const latest = new Map<string, MountInfoEntry>();
  for (const e of entries) if (paths.includes(e.mountPoint)) latest.set(e.mountPoint, e);
  return [...latest.values()];
}

/**
 * Maps a block device number to the whole disk(s) under it: a partition to its parent, a LUKS/LVM mapping through
 * its slaves, a loop device through its backing file. Virtual devices (major 0: overlay, tmpfs, btrfs subvols) map
 * to nothing here; their sources are resolved by path instead.
 */
export async function disksForDevNumber(
  major: number,
  minor: number,
  sysRoot = '/sys',
  depth = 0,
): Promise<string[]> {
  if (major === 0 || depth > 8) return [];
  let dir: string;
  try {
    dir = await realpath(join(sysRoot, 'dev/block', `${major}:${minor}`));
  } catch {
    return [];
  }
  return disksForSysDir(dir, sysRoot, depth);
}

async function disksForSysDir(dir: string, sysRoot: string, depth: number): Promise<string[]> {
  const name = basename(dir);
  if (depth > 8) return [`/dev/${name}`];
  // A partition's sysfs directory sits inside its disk's: the parent is the disk (which may itself be a loop).
  if (await exists(join(dir, 'partition')))
    return disksForSysDir(await realpath(join(dir, '..')), sysRoot, depth + 1);
  const slaves = await readdir(join(dir, 'slaves')).catch(() => [] as string[]);
  if (slaves.length > 0) {
    const found = await Promise.all(
      slaves.map(async (s) => disksForSysDir(await realpath(join(dir, 'slaves', s)), sysRoot, depth + 1)),
    );
    return [...new Set(found.flat())];
  }
  const backing = await readFile(join(dir, 'loop/backing_file'), 'utf8').catch(() => '');
  if (backing.trim()) {
    // A live system's squashfs sits on a loop over a file on the boot medium: the medium is the boot disk too.
    const under = await disksHoldingPath(backing.trim(), sysRoot, depth + 1).catch(() => []);
    return [...new Set([`/dev/${name}`, ...under])];
  }
  return [`/dev/${name}`];
}

/** The whole disk(s) that hold PATH (a file or directory), e.g. the drive an image file sits on. */
export async function disksHoldingPath(path: string, sysRoot = '/sys', depth = 0): Promise<string[]> {
  const st = await stat(path);
  const { major, minor } = splitDev(st.dev);
  if (major !== 0) return disksForDevNumber(major, minor, sysRoot, depth);
  // Filesystems on anonymous device numbers (btrfs, overlay...): fall back to the mount's source device.
  const entries = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
  const mount = entries.filter((e) => e.major === 0 && e.minor === minor).pop();
  return mount ? disksForSource(mount.source, sysRoot, depth) : [];
}

async function disksForSource(source: string, sysRoot: string, depth: number): Promise<string[]> {
  if (!source.startsWith('/dev/')) return [];
  try {
    const st = await stat(source);
    if (!st.isBlockDevice()) return [];
    const { major, minor } = splitDev(st.rdev);
    return disksForDevNumber(major, minor, sysRoot, depth + 1);
  } catch {
    return [];
  }
}

/** Whole disks holding the running system's /, /boot, data and live medium. */
export async function bootDisks(
  opts: { mountinfo?: string; paths?: string[]; sysRoot?: string } = {},
): Promise<string[]> {
  const text = opts.mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8'));
  const sysRoot = opts.sysRoot ?? '/sys';
  const disks = new Set<string>();
  for (const m of systemMounts(parseMountinfo(text), opts.paths)) {
    const found =
      m.major !== 0
        ? await disksForDevNumber(m.major, m.minor, sysRoot)
        : await disksForSource(m.source, sysRoot, 0);
    for (const d of found) disks.add(d);
  }
  return [...disks].sort();
}

/** glibc's major()/minor() for the dev_t numbers fs.stat returns. */
export function splitDev(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}
