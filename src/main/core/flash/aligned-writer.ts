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
    this.maxWrites = Math.max(1, opts.maxWrites ?? 1);
    this.head = allocAligned(this.holdBack + dev.blockSize);
    this.scratch = allocAligned(dev.blockSize);
  }

  /** Queues `data` for device offset `offset`. Offsets must not go backwards. */
  async push(offset: number, data: Buffer): Promise<void> {
    while (data.length > 0) {
      if (this.len > 0 && offset !== this.bufStart + this.len) await this.flush();
      if (this.len === 0) {
        if (offset % this.dev.blockSize !== 0)
          throw new KintsugiError(
            'INVALID_ARGUMENT',
            `write offset ${offset} is not aligned to the device block size ${this.dev.blockSize} (bmap block size too small?)`,
          );
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

  private async flush(): Promise<void> {
    if (this.len === 0) return;
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
      while (this.writing.length >= this.maxWrites) await this.writing.shift();
      this.rethrow();
      this.abortIfCancelled();
      this.opts.watch.check();
      written = this.writeRange(buf.subarray(skip), start + skip, len - skip)
        .then(() => this.opts.onWritten?.(len - skip))
        .catch(remember);
      this.writing.push(written);
    }
    this.busy[this.cur] = Promise.all([seen, written]).then(() => {});
    this.cur = (this.cur + 1) % this.buffers.length;
    this.len = 0;
    // The next buffer is about to be refilled: its last write and onChunk must be done.
    await this.busy[this.cur];
    this.rethrow();
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
