import { KintsugiError } from '../../../shared/errors';
import { allocAligned, roundDown, roundUp } from './aligned-buffer';
import type { DeviceHandle } from './device-io';
import { ioError } from './device-io';
import type { DriveWatch } from './drive-watch';

// Accepts image bytes at increasing offsets and writes them in aligned chunks of `chunkSize` from a ring of
// `bufferCount` buffers: one fills while the others are being written and handed to `onChunk` (the hashing
// thread), so filling, hashing and writing overlap; a buffer is reused once both are done with it. Bytes below `holdBack` (the first MiB: partition table,
// GPT header, boot code) are kept in memory and only written by finish(), after the caller has proved the whole
// image decompressed and hashed correctly: a cancelled, failed or unplugged flash leaves a drive that does not
// look like a valid (new) disk. A final partial block is merged with what the device already holds there
// (read-modify-write) so bytes past the image's end are left as they were.

export const DEFAULT_CHUNK = 4 * 1024 * 1024;
export const HOLD_BACK = 1024 * 1024;
export const DEFAULT_BUFFERS = 4;
/** Writes in flight at once: the device gets the next chunk while the last one completes (dd has one). */
export const DEFAULT_WRITES = 2;

export interface AlignedWriterOptions {
  chunkSize?: number;
  holdBack?: number;
  /** Ring size (>= 2). */
  bufferCount?: number;
  /** Device writes in flight at once (>= 1). */
  maxWrites?: number;
  /**
   * Sees every chunk's bytes in order (what the device gets, the held-back head included) before it is written;
   * the buffer is not reused before the returned promise settles. Buffers are SharedArrayBuffer-backed.
   */
  onChunk?: (bytes: Buffer) => Promise<void> | void;
  /** The device's size: writing past it means the image is larger than the drive. */
  deviceSize: number;
  watch: DriveWatch;
  signal?: AbortSignal;
  /** Called after each chunk reaches the device with the number of image bytes it carried. */
  onWritten?: (bytes: number) => void;
}

interface HeadSegment {
  start: number;
  end: number;
}

export class AlignedWriter {
  private readonly chunk: number;
  private readonly holdBack: number;
  /** The ring; SharedArrayBuffer-backed so onChunk may hand them to a worker thread. */
  readonly buffers: Buffer[];
  /** Per buffer: settles when its last write and onChunk are done (never rejects: see `failed`). */
  private readonly busy: Promise<void>[];
  private readonly writing: Promise<void>[] = [];
  private readonly maxWrites: number;
  private cur = 0;
  private bufStart = 0;
  private len = 0;
  private readonly head: Buffer;
  private readonly headSegments: HeadSegment[] = [];
  private readonly scratch: Buffer;
  private failed: unknown;
  /** Image bytes handed to the device so far (head excluded until finish). */
  written = 0;

  constructor(
    private readonly dev: DeviceHandle,
    private readonly opts: AlignedWriterOptions,
  ) {
    this.chunk = opts.chunkSize ?? DEFAULT_CHUNK;
    this.holdBack = opts.holdBack ?? HOLD_BACK;
    if (this.chunk % dev.blockSize !== 0 || this.holdBack % dev.blockSize !== 0)
      throw new KintsugiError(
        'INTERNAL',
        `chunk ${this.chunk} / hold-back ${this.holdBack} not a multiple of block size ${dev.blockSize}`,
      );
    // One spare block each so a padded tail never overruns.
    const count = Math.max(2, opts.bufferCount ?? DEFAULT_BUFFERS);
    this.buffers = Array.from({ length: count }, () => allocAligned(this.chunk + dev.blockSize, true));
    this.busy = this.buffers.map(() => Promise.resolve());
    this.maxWrites = Math.max(1, opts.maxWrites ?? DEFAULT_WRITES);
    this.head = allocAligned(this.holdBack + dev.blockSize);
    this.scratch = allocAligned(dev.blockSize);
  }

  /** Queues `data` for device offset `offset`. Offsets must not go backwards. */
  async push(offset: number, data: Buffer): Promise<void> {
    while (data.length > 0) {
      if (this.len > 0 && offset !== this.bufStart + this.len) await this.flush();
      if (this.len === 0) {
        this.alignedStart(offset);
        this.bufStart = offset;
      }
      const buf = this.buffers[this.cur]!;
      const n = Math.min(data.length, this.chunk - this.len);
      data.copy(buf, this.len, 0, n);
      this.len += n;
      offset += n;
      data = data.subarray(n);
      if (this.len === this.chunk) await this.flush();
    }
  }

  /**
   * Direct filling (the decoder reads straight into the ring, see decode-into.ts): the free part of the filling
   * buffer for bytes at device offset `offset`, at most `max` bytes. The offset must continue what is buffered
   * (see mustFlushBefore) or start an empty buffer.
   */
  space(offset: number, max: number): Buffer {
    if (this.len === 0) {
      this.alignedStart(offset);
      this.bufStart = offset;
    } else if (offset !== this.bufStart + this.len)
      throw new KintsugiError(
        'INTERNAL',
        `space(${offset}) does not continue the buffer at ${this.bufStart + this.len}`,
      );
    return this.buffers[this.cur]!.subarray(this.len, this.len + Math.min(max, this.chunk - this.len));
  }

  /**
   * `n` bytes landed in the last space(). When that filled the buffer it is sent on, and the promise says when
   * the next buffer may be filled (its previous write and onChunk done): the caller must wait for it.
   */
  filled(n: number): Promise<void> | undefined {
    this.len += n;
    return this.len === this.chunk ? this.flushNow() : undefined;
  }

  /** Whether bytes at `offset` cannot join the buffer (a gap between bmap ranges): flushNow() first. */
  mustFlushBefore(offset: number): boolean {
    return this.len > 0 && offset !== this.bufStart + this.len;
  }

  /** Writes whatever is buffered (except the held-back head) and waits until every chunk was written and seen. */
  async drain(): Promise<void> {
    await this.flush();
    await this.settle();
    this.rethrow();
  }

  /** Writes whatever is buffered, then the held-back head, then syncs the device. */
  async finish(): Promise<void> {
    await this.drain();
    // A write can outrun the poller (a whole small image in less than one poll): look at the drive once more
    // before the head makes it a valid disk.
    await this.opts.watch.confirm();
    for (const seg of this.headSegments) {
      this.abortIfCancelled();
      await this.writeRange(this.head.subarray(seg.start), seg.start, seg.end - seg.start);
      this.opts.onWritten?.(seg.end - seg.start);
    }
    await this.opts.watch.guard('the final sync', this.dev.fh.sync()).catch((e: unknown) => {
      throw ioError(e, this.dev.device, 'syncing');
    });
  }

  /** Waits for the writes in flight and onChunk calls (also before closing the device after an error or cancel). */
  async settle(): Promise<void> {
    await Promise.all(this.busy);
  }

  private rethrow() {
    if (this.failed) throw this.failed;
  }

  private abortIfCancelled() {
    if (this.opts.signal?.aborted)
      throw new KintsugiError('CANCELLED', `writing ${this.dev.device} was cancelled`);
  }

  private alignedStart(offset: number): void {
    if (offset % this.dev.blockSize !== 0)
      throw new KintsugiError(
        'INVALID_ARGUMENT',
        `write offset ${offset} is not aligned to the device block size ${this.dev.blockSize} (bmap block size too small?)`,
      );
  }

  private async flush(): Promise<void> {
    const next = this.flushNow();
    if (next) await next;
    this.rethrow();
  }

  /**
   * Sends the filling buffer on (hashing, then the device) without waiting, and moves to the next buffer.
   * Returns when that next buffer is free again, or undefined when nothing was buffered. A write beyond
   * `maxWrites` in flight is chained after the oldest one rather than awaited, so this never blocks the reader.
   */
  flushNow(): Promise<void> | undefined {
    if (this.len === 0) return undefined;
    const start = this.bufStart;
    const len = this.len;
    const buf = this.buffers[this.cur]!;
    if (start + len > this.opts.deviceSize)
      throw new KintsugiError(
        'IMAGE_TOO_LARGE',
        `the image needs ${start + len} bytes but ${this.dev.device} has ${this.opts.deviceSize}`,
      );
    let skip = 0;
    if (start < this.holdBack) {
      skip = Math.min(len, this.holdBack - start);
      buf.copy(this.head, start, 0, skip);
      const last = this.headSegments.at(-1);
      if (last && last.end === start) last.end = start + skip;
      else this.headSegments.push({ start, end: start + skip });
    }
    // Remember a failure for the next call; never leave a rejected promise unobserved.
    const remember = (e: unknown) => {
      this.failed ??= e;
    };
    const seen = Promise.resolve(this.opts.onChunk?.(buf.subarray(0, len))).catch(remember);
    let written: Promise<void> = Promise.resolve();
    if (len > skip) {
      this.rethrow();
      this.abortIfCancelled();
      this.opts.watch.check();
      const gate = this.writing.length >= this.maxWrites ? this.writing.shift() : undefined;
      // Writes do not wait for onChunk (hashing runs beside them): what a failed check must protect is the
      // held-back head, which finish() never writes after a failure. A write whose turn comes after a failure
      // is skipped.
      written = (gate ?? Promise.resolve())
        .then(() => {
          if (this.failed) return;
          return this.writeRange(buf.subarray(skip), start + skip, len - skip).then(() =>
            this.opts.onWritten?.(len - skip),
          );
        })
        .catch(remember);
      this.writing.push(written);
    }
    this.busy[this.cur] = Promise.all([seen, written]).then(() => {});
    this.cur = (this.cur + 1) % this.buffers.length;
    this.len = 0;
    // The next buffer is about to be refilled: its last write and onChunk must be done.
    return this.busy[this.cur]!.then(() => this.rethrow());
  }

  /** Writes `len` bytes from `buf` (aligned, with spare room) at `offset`, padding the tail block from the device. */
  private async writeRange(buf: Buffer, offset: number, len: number): Promise<void> {
    const bs = this.dev.blockSize;
    const padded = roundUp(len, bs);
    if (padded !== len) {
      const tailOffset = offset + roundDown(len, bs);
      await this.io('reading the last block', this.dev.fh.read(this.scratch, 0, bs, tailOffset));
      const keep = len - roundDown(len, bs);
      this.scratch.copy(buf, len, keep, bs);
    }
    let done = 0;
    while (done < padded) {
      const { bytesWritten } = await this.io(
        `a ${padded - done}-byte write at ${offset + done}`,
        this.dev.fh.write(buf, done, padded - done, offset + done),
      );
      if (bytesWritten <= 0)
        throw new KintsugiError(
          'FLASH_WRITE_FAILED',
          `${this.dev.device} accepted no bytes at offset ${offset + done}`,
        );
      done += bytesWritten;
    }
    this.written += len;
  }

  private io<T>(what: string, p: Promise<T>): Promise<T> {
    return this.opts.watch.guard(what, p).catch((e: unknown) => {
      throw ioError(e, this.dev.device, what);
    });
  }
}
