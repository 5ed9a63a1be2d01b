import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';

// Who holds the dpkg lock (fuser-like, no new dependency). dpkg and apt take fcntl write locks on
// <admindir>/lock-frontend and <admindir>/lock; /proc/locks lists every fcntl lock as
//   1: POSIX  ADVISORY  WRITE 6795 fe:00:2188584 0 EOF
// (pid, then the file as major:minor:inode, major and minor in hex), so the holder is the pid whose lock names
// the file's device and inode. An OFD lock has pid -1 there; then the processes that have the file open
// (/proc/*/fd links) are named instead, as fuser would.

export interface ProcLock {
  pid: number;
  major: number;
  minor: number;
  inode: number;
}

export interface LockHolder {
  pid: number;
  /** /proc/PID/comm, the process name ps shows. */
  name: string;
  file: string;
}

export function parseProcLocks(text: string): ProcLock[] {
  const out: ProcLock[] = [];
  for (const line of text.split('\n')) {
    // Waiters are printed as "N: -> POSIX ...": they do not hold the lock.
    const m = /^\d+:\s+(?:POSIX|FLOCK|OFDLCK)\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(
      line,
    );
    if (!m) continue;
    out.push({
      pid: Number(m[1]),
      major: parseInt(m[2]!, 16),
      minor: parseInt(m[3]!, 16),
      inode: Number(m[4]),
    });
  }
  return out;
}

/** Linux's dev_t encoding (glibc gnu_dev_major / gnu_dev_minor). */
export function devMajorMinor(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  return {
    major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)),
    minor: Number((d & 0xffn) | ((d >> 12n) & ~0xffn)),
  };
}

async function comm(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
}

/** The processes holding (or, failing that, having open) each of FILES, first file first. */
export async function findLockHolders(files: readonly string[]): Promise<LockHolder[]> {
  const locks = parseProcLocks(await readFile('/proc/locks', 'utf8').catch(() => ''));
  const holders: LockHolder[] = [];
  for (const file of files) {
    const st = await stat(file).catch(() => null);
    if (!st) continue;
    const { major, minor } = devMajorMinor(st.dev);
    const pids = locks
      .filter((l) => l.inode === st.ino && l.major === major && l.minor === minor && l.pid > 0)
      .map((l) => l.pid);
    for (const pid of pids.length ? pids : await openers(file))
      if (!holders.some((h) => h.pid === pid)) holders.push({ pid, name: await comm(pid), file });
  }
  return holders;
}

/** Pids with FILE open, from their /proc/PID/fd links (others' fds need root, which the helper is). */
async function openers(file: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const fds = await readdir(join('/proc', entry, 'fd')).catch(() => [] as string[]);
    for (const fd of fds)
      if ((await readlink(join('/proc', entry, 'fd', fd)).catch(() => '')) === file) {
        pids.push(Number(entry));
        break;
      }
  }
  return pids;
}

export function describeHolders(holders: readonly LockHolder[]): string {
  return holders.map((h) => `pid ${h.pid} (${h.name}) holds ${h.file}`).join('; ');
}
