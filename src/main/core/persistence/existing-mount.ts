// Is this stretch of a drive already mounted — by the desktop, which auto-mounts every USB stick, or by the user?
// Mounting the same filesystem a second time (read-only through another loop device, say) risks the very data a
// backup protects, and on a desktop it fails outright. So persistence code asks first, and uses the mount that is
// there. A region is identified by what it reads: a partition node's major:minor, or, for loop devices, the same
// backing file at the same offset (how a "partition" of a loop-backed image looks here without udev).
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMountinfo, splitDev } from '../drives/boot-device';
import type { Region } from './block-access';

export interface ExistingMount {
  mountPoint: string;
  readOnly: boolean;
  /** The device the system mounted (e.g. /dev/sdb2 or /dev/loop5). */
  source: string;
}

/** The mount of CONTAINER's region (a partition of a drive or image), if the system has one. */
export async function existingMount(container: string, region: Region): Promise<ExistingMount | undefined> {
  const candidates = new Set<string>();
  // The partition's own node (/dev/sdb2 on a desktop).
  if (region.node) {
    const st = await stat(region.node).catch(() => null);
    if (st?.isBlockDevice()) candidates.add(majMin(st.rdev));
  }
  // Loop devices reading the same bytes: over the container's backing file (or the container file itself),
  // starting at the region's offset.
  const backing = await backingIdentity(container);
  if (backing) for (const loop of await loopsAt(backing, region.offset)) candidates.add(loop);
  if (candidates.size === 0) return undefined;

  for (const m of parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'))) {
    if (!candidates.has(`${m.major}:${m.minor}`) || m.root !== '/') continue;
    return { mountPoint: m.mountPoint, readOnly: m.options.includes('ro'), source: m.source };
  }
  return undefined;
}

const majMin = (rdev: number) => {
  const { major, minor } = splitDev(rdev);
  return `${major}:${minor}`;
};

/** "DEV:INO" of the file a container reads: the image file itself, or a loop device's backing file. */
async function backingIdentity(container: string): Promise<string | undefined> {
  const st = await stat(container).catch(() => null);
  if (!st) return undefined;
  if (st.isFile()) return `${st.dev}:${st.ino}`;
  if (!st.isBlockDevice()) return undefined;
  const name = container.replace(/^\/dev\//, '');
  const file = (await readFile(join('/sys/block', name, 'loop/backing_file'), 'utf8').catch(() => '')).trim();
  const fst = file ? await stat(file).catch(() => null) : null;
  return fst ? `${fst.dev}:${fst.ino}` : undefined;
}

/** major:minor of every loop device over BACKING starting at OFFSET. */
async function loopsAt(backing: string, offset: number): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir('/sys/block').catch(() => [] as string[])).filter((n) =>
    n.startsWith('loop'),
  )) {
    const dir = join('/sys/block', name);
    const file = (await readFile(join(dir, 'loop/backing_file'), 'utf8').catch(() => '')).trim();
    if (!file) continue;
    const fst = await stat(file).catch(() => null);
    if (!fst || `${fst.dev}:${fst.ino}` !== backing) continue;
    const off = Number((await readFile(join(dir, 'loop/offset'), 'utf8').catch(() => '-1')).trim());
    if (off !== offset) continue;
    const dev = (await readFile(join(dir, 'dev'), 'utf8').catch(() => '')).trim();
    if (dev) out.push(dev);
  }
  return out;
}
