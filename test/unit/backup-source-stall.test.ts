import { describe, expect, it } from 'vitest';
import { parseBlockStat } from '../../src/main/core/backup/source-stall';

// The stall watch reads /sys/class/block/<name>/stat; a misread field would make it see a stall in a healthy
// drive (in flight read as completed) or never see one. Lines as the kernel prints them (17 fields, padded).

describe('parseBlockStat', () => {
  it('takes completed reads + writes and the requests in flight', () => {
    const line =
      '     198        3   168100     8882      181       39   163952     2456        2     9416    11373        0        0        0        0       15       34\n';
    expect(parseBlockStat(line)).toEqual({ completed: 198 + 181, inFlight: 2 });
  });

  it('refuses what is not a stat line instead of reading zeros', () => {
    expect(() => parseBlockStat('')).toThrow(/not a block stat line/);
    expect(() => parseBlockStat('1 2 3')).toThrow(/not a block stat line/);
    expect(() => parseBlockStat('a b c d e f g h i j k')).toThrow(/not a block stat line/);
  });
});
