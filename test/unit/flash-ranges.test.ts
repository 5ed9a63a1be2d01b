import { describe, expect, it } from 'vitest';
import { RangeCutter, rangesBytes } from '../../src/main/core/flash/ranges';
import { roundDown, roundUp, allocAligned } from '../../src/main/core/flash/aligned-buffer';

function cutAll(ranges: { start: number; end: number }[] | undefined, chunkSizes: number[]) {
  const c = new RangeCutter(ranges);
  const out: [number, number][] = [];
  let pos = 0;
  for (const n of chunkSizes) {
    const chunk = Buffer.alloc(n);
    for (let i = 0; i < n; i++) chunk[i] = (pos + i) & 0xff;
    c.cut(pos, chunk, (off, piece) => {
      expect(piece[0]).toBe(off & 0xff); // the piece really is the bytes at that offset
      out.push([off, piece.length]);
    });
    pos += n;
  }
  return out;
}

describe('RangeCutter', () => {
  it('passes everything through without ranges', () => {
    expect(cutAll(undefined, [10, 5])).toEqual([
      [0, 10],
      [10, 5],
    ]);
  });

  it('keeps only mapped bytes, across chunk boundaries', () => {
    const ranges = [
      { start: 2, end: 6 },
      { start: 8, end: 9 },
      { start: 12, end: 30 },
    ];
    expect(cutAll(ranges, [5, 5, 5, 20])).toEqual([
      [2, 3],
      [5, 1],
      [8, 1],
      [12, 3],
      [15, 15],
    ]);
    expect(rangesBytes(ranges)).toBe(4 + 1 + 18);
  });
});

describe('aligned buffers', () => {
  it('are views over page-aligned memory of the asked size', () => {
    const b = allocAligned(4 * 1024 * 1024 + 512);
    expect(b.length).toBe(4 * 1024 * 1024 + 512);
    expect(b.byteOffset).toBe(0);
    expect(roundUp(513, 512)).toBe(1024);
    expect(roundDown(1023, 512)).toBe(512);
  });
});
