// Drives that really stop answering, made from loop devices (device-mapper, the usual tool, does not work here):
// - a write stall: a loop device whose backing file lives on an ext4 filesystem of our own (itself on a loop
//   device) that we then freeze (`fsfreeze -f`): every write reaching the inner loop waits in the kernel, in
//   uninterruptible sleep, until the filesystem is thawed;
// - a read stall: a loop device whose backing file is reached through a FUSE mount (bindfs), whose daemon we stop
//   (SIGSTOP): every read that misses the page cache waits in the kernel until the daemon continues.
// Cleanup order matters and is the same in both: release the stall first (thaw / SIGCONT), then wait for the
// processes that were stuck to let go of the device, then unmount and detach. A filesystem left frozen or a
// daemon left stopped would hang every later test on this machine.
import { execa } from 'execa';
import { mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { attachLoop, detachLoop, mountDevice, unmountDir } from './loop';

export interface StallableDrive {
  /** The loop device standing for the drive. */
  device: string;
  stall(): Promise<void>;
  /** Releases the stall; safe to call any number of times, and before stall(). */
  release(): Promise<void>;
  /** release(), wait for users of the device to go, then unmount and detach everything made here. */
  cleanup(): Promise<void>;
}

/**
 * Pids of the processes holding PATH open, from /proc (no fuser/lsof needed). Looked up per thread: a killed
 * process whose last thread is stuck in the kernel has no /proc/PID/fd any more, only that thread's.
 */
export async function holders(path: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const tasks = await readdir(`/proc/${entry}/task`).catch(() => [] as string[]);
    search: for (const task of tasks) {
      const fdDir = `/proc/${entry}/task/${task}/fd`;
      for (const fd of await readdir(fdDir).catch(() => [] as string[])) {
        if ((await readlink(`${fdDir}/${fd}`).catch(() => '')) === path) {
          pids.push(Number(entry));
          break search;
        }
      }
    }
  }
  return pids;
}

/** The states (R, S, D, Z...) of a process's threads: 'D' is uninterruptible sleep, where no signal reaches. */
export async function threadStates(pid: number): Promise<string[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const states = await Promise.all(
    tasks.map((t) =>
      readFile(`/proc/${pid}/task/${t}/stat`, 'utf8').then(
        (st) => st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3),
        () => '',
      ),
    ),
  );
  return states.filter(Boolean);
}

async function waitUnused(path: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await holders(path)).length && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
}

async function retry(fn: () => Promise<unknown>, times = 20): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (i >= times) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A drive of sizeMiB whose writes hang once stall() froze the filesystem holding its backing file. */
export async function freezableDrive(dir: string, sizeMiB: number): Promise<StallableDrive> {
  const outerFile = join(dir, 'outer-fs.img');
  await execa('truncate', ['-s', `${sizeMiB + 256}M`, outerFile]);
  await execa('mkfs.ext4', ['-q', '-F', outerFile]);
  const outer = await attachLoop(outerFile);
  await mkdir(join(dir, 'fs'));
  const fsDir = await mountDevice(outer, { dir: join(dir, 'fs') }).catch(async (err: unknown) => {
    await detachLoop(outer);
    throw err;
  });
  const backing = join(fsDir, 'drive.img');
  await execa('truncate', ['-s', `${sizeMiB}M`, backing]);
  const device = await attachLoop(backing);
  let frozen = false;
  const release = async () => {
    if (!frozen) return;
    await execa('fsfreeze', ['-u', fsDir]);
    frozen = false;
  };
  return {
    device,
    async stall() {
      frozen = true; // set first: a freeze interrupted half-way must still be thawed
      await execa('fsfreeze', ['-f', fsDir]);
    },
    release,
    async cleanup() {
      await release();
      await waitUnused(device);
      await detachLoop(device);
      await retry(() => unmountDir(fsDir));
      await detachLoop(outer);
    },
  };
}

/**
 * IMAGE, reached through bindfs, as a drive whose reads hang once stall() stopped the FUSE daemon. Reads the
 * page cache can answer still succeed: dropCaches empties it first (then even metadata reads hang).
 */
export async function stoppableSourceDrive(
  dir: string,
  image: string,
  opts: { dropCaches: boolean },
): Promise<StallableDrive> {
  const bindfs = await execa('bindfs', ['--version'], { reject: false });
  if (bindfs.exitCode !== 0)
    throw new Error(
      'bindfs is needed to stall a drive for real (Debian packages bindfs and fuse3): run scripts/install-test-deps.sh',
    );
  const mnt = join(dir, 'fuse');
  await mkdir(mnt);
  // -f would keep it in the foreground; the daemon forks, so find its pid from the mount afterwards.
  await execa('bindfs', ['--no-allow-other', join(image, '..'), mnt]);
  const daemon = await fuseDaemonPid(mnt);
  let stopped = false;
  let device: string;
  try {
    device = await attachLoop(join(mnt, image.split('/').pop()!));
  } catch (err) {
    await execa('umount', [mnt]);
    throw err;
  }
  const release = async () => {
    if (!stopped) return;
    process.kill(daemon, 'SIGCONT');
    stopped = false;
  };
  return {
    device,
    async stall() {
      // Stop first, then empty the cache: nothing of the image may be served from the page cache, or reads would
      // not reach the daemon. No `sync` before: the source's pages are clean, and on a loaded machine a sync of
      // everyone's dirty data took seconds, in which the backup under test ran to its end unstalled.
      stopped = true;
      process.kill(daemon, 'SIGSTOP');
      if (opts.dropCaches) await writeFile('/proc/sys/vm/drop_caches', '3\n');
    },
    release,
    async cleanup() {
      await release();
      await waitUnused(device);
      await detachLoop(device);
      await retry(() => execa('umount', [mnt]));
    },
  };
}

/** Requests the kernel has sent to DEVICE and not yet seen answered (/sys/block/<name>/inflight). */
export async function inFlight(device: string): Promise<number> {
  const text = await readFile(`/sys/block/${device.replace('/dev/', '')}/inflight`, 'utf8');
  return text
    .trim()
    .split(/\s+/)
    .map(Number)
    .reduce((a, b) => a + b, 0);
}

/** The loop devices (their backing files) still attached over anything under DIR or over DEVICES. */
export async function loopsOver(dir: string, devices: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const name of await readdir('/sys/block')) {
    if (!name.startsWith('loop')) continue;
    const backing = (await readFile(`/sys/block/${name}/loop/backing_file`, 'utf8').catch(() => '')).trim();
    if (backing && (backing.startsWith(dir) || devices.includes(backing)))
      left.push(`/dev/${name} (${backing})`);
  }
  return left;
}

/** The bindfs process serving MNT (its command line names the mount point). */
async function fuseDaemonPid(mnt: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv[0]?.endsWith('bindfs') && argv.includes(mnt)) return Number(entry);
  }
  throw new Error(`no bindfs process serves ${mnt}`);
}
