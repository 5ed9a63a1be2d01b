import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Free / total bytes where `path` would live: a backup folder may not exist yet, so walk up to its parent. */
export async function freeSpaceNear(path: string): Promise<{ path: string; free: number; total: number }> {
  let p = path;
  for (;;) {
    try {
      const s = await statfs(p);
      return { path: p, free: s.bavail * s.bsize, total: s.blocks * s.bsize };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || p === '/') throw err;
      p = dirname(p);
    }
  }
}
