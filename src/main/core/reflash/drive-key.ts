import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

// A name for "this drive" that survives re-plugging and reboots, for the ledger of drives a flow has written:
// /dev/sdb may be another stick tomorrow, and loop numbers are reused. A real disk is its serial or WWID (with
// its size); a loop device is its backing file's device and inode. Falls back to the device path and size.

export async function driveKey(device: string): Promise<string> {
  const name = basename(device);
  const sys = join('/sys/block', name);
  const read = (p: string) =>
    readFile(join(sys, p), 'utf8')
      .then((t) => t.trim())
      .catch(() => '');
  const size = await read('size');
  const backing = await read('loop/backing_file');
  if (backing) {
    const st = await stat(backing).catch(() => null);
    return st ? `loop-file:${st.dev}:${st.ino}` : `loop-file:${backing}`;
  }
  const id = (await read('device/wwid')) || (await read('wwid')) || (await read('device/serial'));
  return id ? `disk:${id}:${size}` : `path:${device}:${size}`;
}
