import type { IncomingMessage } from 'node:http';
import { KintsugiError } from '../../../shared/errors';
import type { PartialFile } from './partial-file';

// The hot path of a download: a response body appended to the partial file. The socket's chunks are gathered
// (not copied: copying into fixed buffers cost ~1 s of CPU per GiB here) into batches of BATCH bytes, or of
// whatever arrived within BATCH_MS on a slow network (progress and the record then still move every second);
// one batch is written (writev, libuv's pool) and hashed while the next one arrives, so the network, the disk and
// the hash overlap and a slow disk holds the socket back (at most two batches in memory). Batches of 4 MiB cost
// more CPU than 2 MiB here, 1 MiB about as much. A stall watchdog ticks ten times per window instead of
// re-arming a timer per chunk.

const BATCH = 2 * 1024 * 1024;
const BATCH_MS = 1000;

export interface ReceiveOptions {
  /** No bytes for this long: the response is dropped (the caller resumes). */
  stallMs: number;
  /** The size the file must not pass (the manifest's or the server's). */
  limit?: number;
  /** Sees the body's first bytes (up to 64) before anything is written; throws to refuse the body. */
  checkHead?(head: Buffer): void;
  /** After each batch is on the file and hashed: progress, checkpoints, the storage guard. */
  afterBatch(offset: number, n: number): Promise<void> | void;
}

/**
 * Appends `res`'s body to `file`. On a dropped connection or a stall, what arrived intact is written first (it is
 * where the next attempt starts); a refusal (a KintsugiError) writes nothing more.
 */
export async function receiveBody(res: IncomingMessage, file: PartialFile, o: ReceiveOptions): Promise<void> {
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let received = file.offset;
  /** The batch being written (at most one): its failure surfaces at the next settle(). */
  let pending: Promise<void> | undefined;
  let headChecked = !o.checkHead;
  let stalled = false;
  let lastByteAt = performance.now();
  let flushedAt = lastByteAt;
  const watchdog = setInterval(
    () => {
      if (performance.now() - lastByteAt < o.stallMs) return;
      stalled = true;
      res.destroy(new Error(`no bytes for ${o.stallMs / 1000} s (stalled)`));
    },
    Math.max(10, o.stallMs / 10),
  );
  const settle = async () => {
    const p = pending;
    pending = undefined;
    await p;
  };
  const flush = async () => {
    if (batchBytes === 0) return;
    if (!headChecked) {
      o.checkHead!(firstBytes(batch, 64));
      headChecked = true;
    }
    await settle();
    flushedAt = performance.now();
    const chunks = batch;
    const n = batchBytes;
    batch = [];
    batchBytes = 0;
    pending = file.append(chunks, n).then(() => o.afterBatch(file.offset, n));
    // Seen by settle(); not an unhandled rejection meanwhile.
    pending.catch(() => {});
  };
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      lastByteAt = performance.now();
      received += c.length;
      if (o.limit !== undefined && received > o.limit)
        throw new KintsugiError('MODEL_DOWNLOAD_FAILED', `the server sent more than ${o.limit} bytes`);
      batch.push(c);
      batchBytes += c.length;
      if (batchBytes >= BATCH || lastByteAt - flushedAt >= BATCH_MS) await flush();
    }
  } catch (err) {
    if (!(err instanceof KintsugiError)) await flush().catch(() => {});
    await settle().catch(() => {});
    throw stalled ? new Error(`no bytes for ${o.stallMs / 1000} s (stalled)`) : err;
  } finally {
    clearInterval(watchdog);
  }
  await flush();
  await settle();
}

function firstBytes(chunks: Buffer[], n: number): Buffer {
  const first = chunks[0]!;
  return first.length >= n ? first.subarray(0, n) : Buffer.concat(chunks).subarray(0, n);
}
