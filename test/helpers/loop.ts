// Loop devices and mounts for tests. Every device a test attaches is tracked here and detached on process exit as
// a safety net, so a crashed test never leaves a loop device (or a mount holding one) behind on the machine.
import { execa, execaSync } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoopOptions {
  offset?: number;
  sizeLimit?: number;
  readOnly?: boolean;
}

const attached = new Set<string>();
const mounted = new Set<string>();

/** Attaches FILE to the first free loop device (losetup -f --show) and returns its path, e.g. /dev/loop3. */
export async function attachLoop(file: string, opts: LoopOptions = {}): Promise<string> {
  const args = ['-f', '--show'];
  if (opts.offset !== undefined) args.push('--offset', String(opts.offset));
  if (opts.sizeLimit !== undefined) args.push('--sizelimit', String(opts.sizeLimit));
  if (opts.readOnly) args.push('--read-only');
  args.push(file);
  const { stdout } = await execa('losetup', args);
  const dev = stdout.trim();
  if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup printed an unexpected device: ${dev}`);
  attached.add(dev);
  return dev;
}

/** Detaches a loop device this process attached. Retries briefly: udev-less kernels can report EBUSY for a moment. */
export async function detachLoop(dev: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await execa('losetup', ['-d', dev]);
      break;
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  attached.delete(dev);
}

export async function withLoop<T>(
  file: string,
  fn: (dev: string) => Promise<T>,
  opts: LoopOptions = {},
): Promise<T> {
  const dev = await attachLoop(file, opts);
  try {
    return await fn(dev);
  } finally {
    await detachLoop(dev);
  }
}

/** Mounts DEV on DIR (created under os.tmpdir() when omitted) and tracks it for the exit safety net. */
export async function mountDevice(
  dev: string,
  opts: { dir?: string; readOnly?: boolean; fsType?: string } = {},
): Promise<string> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'kintsugi-mnt-')));
  const args: string[] = [];
  if (opts.fsType) args.push('-t', opts.fsType);
  if (opts.readOnly) args.push('-o', 'ro');
  await execa('mount', [...args, dev, dir]);
  mounted.add(dir);
  return dir;
}

export async function unmountDir(dir: string, opts: { removeDir?: boolean } = {}): Promise<void> {
  await execa('umount', [dir]);
  mounted.delete(dir);
  if (opts.removeDir ?? true) await rm(dir, { recursive: true, force: true });
}

/** Attaches an offset loop over one partition of FILE, mounts it, runs fn, and always unmounts and detaches. */
export async function withMountedLoop<T>(
  file: string,
  opts: LoopOptions & { fsType?: string },
  fn: (dir: string, dev: string) => Promise<T>,
): Promise<T> {
  return withLoop(
    file,
    async (dev) => {
      const dir = await mountDevice(dev, { readOnly: opts.readOnly, fsType: opts.fsType });
      try {
        return await fn(dir, dev);
      } finally {
        await unmountDir(dir);
      }
    },
    opts,
  );
}

/** Loop devices and mounts this process still holds (tests assert it is empty after cleanup). */
export function heldByTests(): { loops: string[]; mounts: string[] } {
  return { loops: [...attached], mounts: [...mounted] };
}

process.once('exit', () => {
  // Synchronous on purpose: 'exit' handlers cannot await. Lazy unmount first so the detach can succeed.
  for (const dir of mounted) {
    try {
      execaSync('umount', ['-l', dir]);
    } catch {
      /* already gone */
    }
  }
  for (const dev of attached) {
    try {
      execaSync('losetup', ['-d', dev]);
    } catch {
      /* already gone */
    }
  }
});
