import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// sha256 of whole files on a small pool of worker threads: OpenSSL's sha256 (node:crypto) runs at ~1.3 GB/s
// per core here, so hashing, not reading the page cache, is the cost of a verify pass, and one thread per core
// halves it. Each worker reads with one 1 MiB buffer: memory stays bounded whatever the file sizes. The worker's
// code is inline (eval) so the bundled main, helper and CLI need no extra entry file.

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const buf = Buffer.allocUnsafe(1024 * 1024);
parentPort.on('message', ({ id, path }) => {
  let fd;
  try {
    fd = openSync(path, 'r');
    const h = createHash('sha256');
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      size += n;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
    }
    parentPort.postMessage({ id, sha256: h.digest('hex'), size });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

export interface FileHash {
  sha256: string;
  /** Bytes read: the file's length when it was hashed. */
  size: number;
}

export interface HashPool {
  hash(path: string): Promise<FileHash>;
  close(): Promise<void>;
}

export function createHashPool(size = Math.min(4, Math.max(1, availableParallelism()))): HashPool {
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const queue: { path: string; resolve: (h: FileHash) => void; reject: (e: Error) => void }[] = [];
  const pending = new Map<
    number,
    { resolve: (h: FileHash) => void; reject: (e: Error) => void; w: Worker }
  >();
  let nextId = 0;

  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      const id = nextId++;
      pending.set(id, { resolve: job.resolve, reject: job.reject, w });
      w.postMessage({ id, path: job.path });
    }
  };
  // Started on the first file to hash: an unchanged backup hashes nothing and should not pay for the threads.
  const start = () => {
    for (let i = 0; i < size; i++) startWorker();
  };
  const startWorker = () => {
    const w = new Worker(WORKER_CODE, { eval: true });
    w.on('message', (m: { id: number; sha256?: string; size?: number; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      idle.push(w);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve({ sha256: m.sha256!, size: m.size! });
      dispatch();
    });
    w.on('error', (err) => {
      for (const [id, p] of pending) {
        if (p.w !== w) continue;
        pending.delete(id);
        p.reject(err);
      }
    });
    workers.push(w);
    idle.push(w);
  };
  return {
    hash: (path) =>
      new Promise<FileHash>((resolve, reject) => {
        if (workers.length === 0) start();
        queue.push({ path, resolve, reject });
        dispatch();
      }),
    // Not awaited: a worker reading a drive that stopped answering sits in the kernel and cannot be stopped
    // until the read returns; the job must still be able to end (source-stall.ts) without waiting for it.
    close: async () => {
      for (const w of workers) void w.terminate().catch(() => undefined);
      for (const p of pending.values()) p.reject(new Error('the hash pool was closed'));
      pending.clear();
    },
  };
}

/**
 * Runs `fn` over items with at most `width` in flight and hands the results to `sink` in input order: the order
 * an index is written in, with memory bounded by the window.
 */
export async function orderedPool<T, R>(
  items: AsyncIterable<T>,
  width: number,
  fn: (item: T) => Promise<R>,
  sink: (result: R) => Promise<void>,
): Promise<void> {
  const window: Promise<R>[] = [];
  try {
    for await (const item of items) {
      window.push(fn(item));
      if (window.length >= width) await sink(await window.shift()!);
    }
    while (window.length > 0) await sink(await window.shift()!);
  } finally {
    // A failure leaves the rest running: wait for them so no rejection goes unhandled.
    await Promise.allSettled(window);
  }
}
