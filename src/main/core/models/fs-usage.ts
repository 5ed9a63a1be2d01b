import { readFile, realpath, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FsUsage } from './storage-guard';

// The filesystem holding a path, as the storage guard needs it: sizes from statfs(2), the mount point from
// /proc/self/mountinfo (the longest mount point that contains the path), so a refusal names the real one.

const MSDOS_SUPER_MAGIC = 0x4d44;

/** Decodes the octal escapes mountinfo uses for spaces and the like. */
const unescape = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export async function mountPointOf(path: string): Promise<string> {
  const real = await realpath(path);
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  let best = '/';
  for (const line of text.split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const m = unescape(mp);
    if ((real === m || real.startsWith(m.endsWith('/') ? m : `${m}/`)) && m.length > best.length) best = m;
  }
  return best;
}

/** Usage of the filesystem that holds `path` (or its nearest existing parent). */
export async function fsUsage(path: string): Promise<FsUsage> {
  let p = path;
  for (;;) {
    try {
      const s = await statfs(p);
      const total = s.blocks * s.bsize;
      return {
        mountPoint: await mountPointOf(p),
        totalBytes: total,
        usedBytes: total - s.bavail * s.bsize,
        fat32: s.type === MSDOS_SUPER_MAGIC,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || p === '/') throw err;
      p = dirname(p);
    }
  }
}
