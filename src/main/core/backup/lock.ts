import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';

// One backup run at a time per backup folder: two runs would pick the same --link-dest base while the other's
// copy is half made, and a restore or check must not trust a folder another run is still writing. The lock is
// a file holding the writer's pid; a lock whose pid is gone (a crash, a kill -9) is stale and taken over.

export const LOCK_NAME = 'kintsugi-backup.lock';

export interface LockInfo {
  pid: number;
  id: string;
  startedAt: string;
}

/** The live lock on a backup folder, if any (a stale one, whose pid is gone, reads as none). */
export async function liveLock(destRoot: string): Promise<LockInfo | undefined> {
  let info: LockInfo;
  try {
    info = JSON.parse(await readFile(join(destRoot, LOCK_NAME), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
  return Number.isInteger(info.pid) && pidAlive(info.pid) ? info : undefined;
}

/** Takes the folder's lock for backup `id`; returns its release. Refuses while another live run holds it. */
export async function acquireLock(destRoot: string, id: string): Promise<() => Promise<void>> {
  const path = join(destRoot, LOCK_NAME);
  const info: LockInfo = { pid: process.pid, id, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o644);
      try {
        await fh.writeFile(JSON.stringify(info));
      } finally {
        await fh.close();
      }
      return async () => {
        await unlink(path).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await liveLock(destRoot);
      if (holder) throw lockedError(destRoot, holder);
      await unlink(path).catch(() => {}); // stale: its writer is gone
    }
  }
  throw new KintsugiError('BACKUP_FAILED', `could not take the lock ${path}`);
}

/** Refuses to use a backup folder while another run writes into it. */
export async function refuseWhileLocked(destRoot: string): Promise<void> {
  const holder = await liveLock(destRoot);
  if (holder) throw lockedError(destRoot, holder);
}

function lockedError(destRoot: string, holder: LockInfo): KintsugiError {
  return new KintsugiError(
    'BACKUP_FAILED',
    `another backup run (pid ${holder.pid}, since ${holder.startedAt}) is writing ${holder.id} into ${destRoot}`,
    { hint: `Wait for it to finish, or stop process ${holder.pid}, then try again.` },
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
