import type { ByteRange } from '../image/bmap';

// Which bytes of the image go to the drive. Without a bmap, all of them; with one, only its mapped ranges. The
// decompressed stream still arrives in full and in order: this cuts each chunk into the pieces that are mapped.

export class RangeCutter {
  private idx = 0;

  /** `ranges` sorted and disjoint; undefined means "everything". */
  constructor(private readonly ranges: ByteRange[] | undefined) {}

  /** Calls `emit` for each mapped piece of `chunk`, which sits at image offset `pos`. */
  cut(pos: number, chunk: Buffer, emit: (offset: number, piece: Buffer) => void): void {
    if (!this.ranges) {
      emit(pos, chunk);
      return;
    }
    const end = pos + chunk.length;
    while (this.idx < this.ranges.length && this.ranges[this.idx]!.end <= pos) this.idx++;
    for (let i = this.idx; i < this.ranges.length; i++) {
      const r = this.ranges[i]!;
      if (r.start >= end) break;
      const s = Math.max(r.start, pos);
      const e = Math.min(r.end, end);
      if (e > s) emit(s, chunk.subarray(s - pos, e - pos));
    }
  }
}

/** Total bytes in `ranges`. */
export function rangesBytes(ranges: ByteRange[]): number {
  return ranges.reduce((n, r) => n + (r.end - r.start), 0);
}
