import { Worker } from 'node:worker_threads';
import { KintsugiError } from '../../../shared/errors';

// sha256 of a file as stored, in a thread of its own, beside the flash: a published checksum that names the
// compressed file (or a raw image file) is checked without putting the file's bytes through the flash's own
// loop. The file is read a second time (the decoder reads it too), from the page cache by then.
// Inline (eval) source, as in hash-worker.ts, keeps the module self-contained in every bundle.

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const h = createHash('sha256');
const buf = Buffer.allocUnsafe(4 << 20);
let fd;
try {
  fd = openSync(workerData.path, 'r');
  let n;
  while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  parentPort.postMessage({ digest: h.digest('hex') });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e), code: e && e.code });
} finally {
  if (fd !== undefined) closeSync(fd);
}
`;

export interface FileHash {
  /** The hex digest; rejects IMAGE_NOT_FOUND / IMAGE_CORRUPT when the file cannot be read. */
  digest: Promise<string>;
  /** Abandons the hash (the flash failed or was cancelled). */
  stop(): void;
}

export function sha256OfFileInThread(path: string): FileHash {
  const worker = new Worker(SOURCE, { eval: true, workerData: { path } });
  const digest = new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { digest?: string; error?: string; code?: string }) => {
      if (m.digest) resolve(m.digest);
      else if (m.code === 'ENOENT') reject(new KintsugiError('IMAGE_NOT_FOUND', path));
      else reject(new KintsugiError('IMAGE_CORRUPT', `reading ${path} to hash it failed: ${m.error}`));
    });
    worker.once('error', (e) =>
      reject(new KintsugiError('INTERNAL', `the file hashing thread failed: ${String(e)}`)),
    );
    worker.once('exit', (code) =>
      reject(new KintsugiError('INTERNAL', `the file hashing thread ended (exit ${code}) before its digest`)),
    );
  });
  digest.catch(() => {});
  return { digest, stop: () => void worker.terminate() };
}
