import type { Hash } from 'node:crypto';
import type { ByteRange } from '../image/bmap';
import { allocAligned } from './aligned-buffer';
import type { AlignedWriter } from './aligned-writer';
import type { ByteSink } from './decode-into';

// Tells the decoder where each decoded byte goes (decode-into.ts's ByteSink). Bytes the drive gets (all of them,
// or a bmap's mapped ranges) land straight in the writer's ring, at their device offset; bytes a bmap skips land in
// a scratch buffer and are dropped. A mapped range that does not continue the buffer being filled (a gap) sends
// that buffer on first. `streamHash`, when given, sees every decoded byte in order, skipped ones included.

const SCRATCH = 1 << 20;

export class RingFeed implements ByteSink {
  /** Image offset of the next decoded byte: the image size once decoding ended. */
  position = 0;
  private rangeIdx = 0;
  private last: Buffer | undefined;
  private lastInRing = false;
  private scratch: Buffer | undefined;

  constructor(
    private readonly writer: AlignedWriter,
    /** Sorted, disjoint; undefined: every byte is written. */
    private readonly ranges: ByteRange[] | undefined,
    private readonly streamHash?: Hash,
  ) {}

  next(): Buffer {
    const mapped = this.mappedRangeAt();
    if (mapped) {
      this.lastInRing = true;
      this.last = this.writer.space(this.position, mapped.end - this.position);
    } else {
      this.scratch ??= allocAligned(SCRATCH);
      const next = this.ranges?.[this.rangeIdx];
      const room = next ? Math.min(SCRATCH, next.start - this.position) : SCRATCH;
      this.lastInRing = false;
      this.last = this.scratch.subarray(0, room);
    }
    return this.last;
  }

  filled(n: number): Promise<void> | undefined {
    this.streamHash?.update(this.last!.subarray(0, n));
    this.position += n;
    const wait = this.lastInRing ? this.writer.filled(n) : undefined;
    if (wait) return wait;
    // The next mapped byte cannot join the buffer being filled: send that buffer on before next() asks for room.
    if (this.mappedRangeAt() && this.writer.mustFlushBefore(this.position)) return this.writer.flushNow();
    return undefined;
  }

  /** The range holding `position` (everything without a bmap), or undefined in a bmap's hole. */
  private mappedRangeAt(): ByteRange | undefined {
    if (!this.ranges) return { start: 0, end: Number.MAX_SAFE_INTEGER };
    while (this.rangeIdx < this.ranges.length && this.ranges[this.rangeIdx]!.end <= this.position)
      this.rangeIdx++;
    const r = this.ranges[this.rangeIdx];
    return r && this.position >= r.start ? r : undefined;
  }
}
