import type { IncomingMessage } from 'node:http';
import { KintsugiError } from '../../../shared/errors';
import type { PartialFile } from './partial-file';

// The hot path of a download: a response body appended to the partial file. The socket's chunks are gathered
// (not copied: copying into fixed buffers cost ~1 s of CPU per GiB here) into batches of BATCH bytes; a batch
// that has waited BATCH_MS is written as it is (a slow or paused server: progress, the record and the file then
// still move every second). One batch is written (writev, libuv's pool) and hashed while the next one arrives,
// so the network, the disk and the hash overlap and a slow disk holds the socket back (at most two batches in
// memory). Batches of 4 MiB cost more CPU than 2 MiB here, 1 MiB about as much. One timer ticks for both the
// stall watchdog and the waiting batch, instead of a timer re-armed per chunk.

const BATCH = 2 * 1024 * 1024;
const BATCH_MS = 1000;
/** The bytes the head check sees (a batch waits for them, or for the body's end). */
const HEAD = 64;

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
  /** Flushes run one after another: the loop's, and the timer's for a batch that waited too long. */
  let flushing: Promise<void> = Promise.resolve();
  const settle = async () => {
    const p = pending;
    pending = undefined;
    await p;
  };
  const flushNow = async () => {
    if (batchBytes === 0) return;
    if (!headChecked) {
      o.checkHead!(firstBytes(batch, HEAD));
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
  const flush = () => (flushing = flushing.catch(() => {}).then(flushNow));
  const timer = setInterval(
    () => {
      const now = performance.now();
      if (now - lastByteAt >= o.stallMs) {
        stalled = true;
        res.destroy(new Error(`no bytes for ${o.stallMs / 1000} s (stalled)`));
      } else if (batchBytes >= (headChecked ? 1 : HEAD) && now - flushedAt >= BATCH_MS) {
        // A refusal or a failed write found here ends the response: the loop then throws it.
        flush().catch((err: unknown) => res.destroy(err as Error));
      }
    },
    Math.max(10, Math.min(BATCH_MS / 4, o.stallMs / 10)),
  );
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      lastByteAt = performance.now();
      received += c.length;
      if (o.limit !== undefined && received > o.limit)
        throw new KintsugiError('MODEL_DOWNLOAD_FAILED', `the server sent more than ${o.limit} bytes`);
      batch.push(c);
      batchBytes += c.length;
      if (batchBytes >= BATCH) await flush();
    }
  } catch (err) {
    if (!(err instanceof KintsugiError)) await flush().catch(() => {});
    await flushing.catch(() => {});
    await settle().catch(() => {});
    throw stalled ? new Error(`no bytes for ${o.stallMs / 1000} s (stalled)`) : err;
  } finally {
    clearInterval(timer);
  }
  await flush();
  await settle();
}

function firstBytes(chunks: Buffer[], n: number): Buffer {
  const first = chunks[0]!;
  return first.length >= n ? first.subarray(0, n) : Buffer.concat(chunks).subarray(0, n);
}
