import { open, rename, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

// Writes to one path run one after another, in call order: two saves issued together (say, two IPC calls)
// must land as the later one, never as a mix or as the older one renamed last.
const queues = new Map<string, Promise<void>>();

export interface AtomicWriteOptions {
  /**
   * true (the default): the new file survives a power cut once the promise resolves. false: temp and rename
   * without the two fsyncs: a crashed or killed process still leaves the old file or the new one (the kernel's
   * page cache outlives it), a power cut may bring back the old one. For records the next run recomputes anyway
   * (a check's result), where an fsync protects nothing and costs milliseconds to seconds on a busy disk.
   */
  durable?: boolean;
}

/** Write temp, fsync, rename, fsync the directory: a crash leaves either the old file or the new one. */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  { durable = true }: AtomicWriteOptions = {},
): Promise<void> {
  const previous = queues.get(path) ?? Promise.resolve();
  const mine = previous.catch(() => {}).then(() => writeNow(path, data, durable));
  const settled = mine.catch(() => {});
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return mine;
}

async function writeNow(path: string, data: string | Uint8Array, durable: boolean): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  if (!durable) return;
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
