import { open, readFile, unlink } from 'node:fs/promises';
import { KintsugiError, type ErrorCode } from '../../../shared/errors';

// One writer per model file, across processes (the app's utility host and a `kintsugi models pull` in a terminal):
// `<file>.lock` created with O_EXCL holding the owner's pid. A lock whose pid no longer runs (a killed pull) is
// stale and taken over, so a crash never blocks the next pull.

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface PullLock {
  release(): Promise<void>;
}

/** CODE: the busy error to throw (the kernel build reuses this lock for its build folder). */
export async function acquirePullLock(
  lockPath: string,
  what: string,
  code: ErrorCode = 'MODEL_BUSY',
  doing = 'being pulled',
): Promise<PullLock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(lockPath, 'wx', 0o644);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return { release: () => unlink(lockPath).catch(() => {}) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && alive(pid))
      throw new KintsugiError(code, `${what} is ${doing} by process ${pid} (lock ${lockPath})`);
    // Stale (its writer is gone) or empty (a writer died between create and write): take it over.
    await unlink(lockPath).catch(() => {});
  }
  throw new KintsugiError(code, `could not take the lock ${lockPath}`);
}
