import { open, rename, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

// Writes to one path run one after another, in call order: two saves issued together (say, two IPC calls)
// must land as the later one, never as a mix or as the older one renamed last.
const queues = new Map<string, Promise<void>>();

/** Write temp, fsync, rename, fsync the directory: a crash leaves either the old file or the new one. */
export function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const previous = queues.get(path) ?? Promise.resolve();
  const mine = previous.catch(() => {}).then(() => writeNow(path, data));
  const settled = mine.catch(() => {});
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return mine;
}

async function writeNow(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
