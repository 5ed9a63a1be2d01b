import type { FileHandle } from 'node:fs/promises';
import { writeDownloadState, type DownloadState, type RecordedHash } from './download-state';
import type { HashedAt } from './sha256-behind';

// Keeps the record beside a `.incomplete` file up to date while it grows, off the download's hot path:
// - every `every(size)` bytes, the record with the bytes written (renamed, not fsynced: a killed process loses nothing,
//   the page cache survives it, and the record names the boot they are cached in);
// - every `durableEvery` bytes, an fdatasync in the background, then the record with the bytes it covered (they
//   survive a reboot: a resume after one continues from there);
// - durably (fsync, then the record written atomically) at the start of each request and when a pull stops.
// Each count goes with the newest savable sha256 state within it (the thread keeping it lags behind the bytes).
// Record writes never overlap (a request made while one runs is folded into the next one), and a failure of the
// background work surfaces at the next step of the download instead of going unseen.

/** What the record says besides how far the bytes go. */
export type RecordBase = Omit<
  DownloadState,
  'bytes' | 'durableBytes' | 'bootId' | 'hashed' | 'durableHashed'
>;

const MiB = 1024 * 1024;

/**
 * Bytes between two records of the bytes written, for a file of `size` bytes. A killed process fetches again at
 * most this plus the two batches it held in memory (receive-body.ts): 1/256 of the file, within 2-8 MiB, keeps
 * that under 1 % of any file from ~1 GiB up (8 MiB of 1 GiB), at ~0.3 ms of CPU per record.
 */
export const recordEvery = (size: number | undefined): number =>
  Math.min(8 * MiB, Math.max(2 * MiB, Math.floor((size ?? 0) / 256)));

export interface CheckpointOptions {
  /** Bytes between records (given the file's expected size, which a response may only now tell). */
  every(): number;
  durableEvery: number;
  bootId: string | undefined;
  /** The download's savable sha256 states (DownloadSha256). */
  hash: { atMost(bytes: number): HashedAt | undefined; forget(bytes: number): void };
}

export class DownloadCheckpoints {
  private bytes = 0;
  private durableBytes = 0;
  private recordedAt = 0;
  private syncedFrom = 0;
  private writing: Promise<void> | undefined;
  private again = false;
  private syncing: Promise<void> | undefined;
  private failed: unknown;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly base: () => RecordBase,
    private readonly o: CheckpointOptions,
  ) {}

  /** Bytes [0, offset) are written. Throws what failed in the background since the last call. */
  advanced(offset: number): void {
    if (this.failed !== undefined) throw this.failed;
    this.bytes = offset;
    if (offset - this.recordedAt >= this.o.every()) this.record();
    if (!this.syncing && offset - this.syncedFrom >= this.o.durableEvery) {
      this.syncedFrom = offset;
      this.syncing = this.fh.datasync().then(
        () => {
          this.durableBytes = Math.max(this.durableBytes, offset);
          this.syncing = undefined;
          this.record();
        },
        (err: unknown) => {
          this.failed ??= err;
          this.syncing = undefined;
        },
      );
    }
  }

  /**
   * fsync, then the record written atomically: all of [0, offset) survives anything. At the start of a request,
   * on a stop, a cancel or a failure. `offset` may be below the bytes seen so far (a restart truncated the file).
   */
  async durable(offset: number): Promise<void> {
    await this.settle();
    // Whatever failed in the background is superseded by this sync and write (or fails them too, and throws).
    this.failed = undefined;
    await this.fh.sync();
    this.bytes = this.durableBytes = this.syncedFrom = this.recordedAt = offset;
    await writeDownloadState(this.path, this.state(), true);
  }

  /** Waits for the background work (a record must not land after the caller removed it). */
  async idle(): Promise<void> {
    await this.settle();
    if (this.failed !== undefined) throw this.failed;
  }

  private async settle(): Promise<void> {
    while (this.syncing || this.writing) await (this.syncing ?? this.writing);
  }

  private state(): DownloadState {
    const durableBytes = Math.min(this.durableBytes, this.bytes);
    const hashed = recorded(this.o.hash.atMost(this.bytes));
    const durableHashed = recorded(this.o.hash.atMost(durableBytes));
    this.o.hash.forget(durableBytes);
    return {
      ...this.base(),
      bytes: this.bytes,
      durableBytes,
      ...(this.o.bootId ? { bootId: this.o.bootId } : {}),
      ...(hashed ? { hashed } : {}),
      ...(durableHashed ? { durableHashed } : {}),
    };
  }

  private record(): void {
    this.recordedAt = this.bytes;
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = writeDownloadState(this.path, this.state(), false).then(
      () => {
        this.writing = undefined;
        if (this.again) {
          this.again = false;
          this.record();
        }
      },
      (err: unknown) => {
        this.failed ??= err;
        this.writing = undefined;
      },
    );
  }
}

const recorded = (h: HashedAt | undefined): RecordedHash | undefined =>
  h && { bytes: h.bytes, state: Buffer.from(h.state).toString('base64') };
