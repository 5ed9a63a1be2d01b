import { describe, expect, it } from 'vitest';
import {
  createLineSplitter,
  parseProgressLine,
  parseProgressOutput,
} from '../../src/main/core/backup/rsync-progress';
import { parseItemizeOutput, parseRsyncStats } from '../../src/main/core/backup/rsync-stats';

// Captured from rsync 3.5.0 (`rsync -aHAX --numeric-ids --info=progress2 --no-inc-recursive --stats
// --bwlimit=40000 src/ dst/ > file`): status lines separated by \r, then \n and the --stats block.
const CAPTURED_TO_CHK =
  '\r              0   0%    0.00kB/s    0:00:00 (xfr#1, to-chk=30/32)\r              8   0%    0.00kB/s    0:00:00  \r              8   0%    0.00kB/s    0:00:00 (xfr#2, to-chk=29/32)\r      3,000,008   4%  953.67MB/s    0:00:00 (xfr#3, to-chk=28/32)\r      6,000,008   8%   53.98MB/s    0:00:00 (xfr#4, to-chk=27/32)\r      9,000,008  13%   40.87MB/s    0:00:00 (xfr#5, to-chk=26/32)\r     12,000,008  17%   53.73MB/s    0:00:00 (xfr#6, to-chk=25/32)\r     15,000,008  22%   45.13MB/s    0:00:00 (xfr#7, to-chk=24/32)\r     18,000,008  26%   40.87MB/s    0:00:00 (xfr#8, to-chk=23/32)\r     21,000,008  31%   47.35MB/s    0:00:00 (xfr#9, to-chk=22/32)\r     24,000,008  35%   43.51MB/s    0:00:00 (xfr#10, to-chk=21/32)\r     27,000,008  40%   40.94MB/s    0:00:00 (xfr#11, to-chk=20/32)\r     30,000,008  44%   45.27MB/s    0:00:00 (xfr#12, to-chk=19/32)\r     33,000,008  49%   42.76MB/s    0:00:00 (xfr#13, to-chk=18/32)\r     36,000,008  53%   40.87MB/s    0:00:00 (xfr#14, to-chk=17/32)\r     39,000,008  58%   39.40MB/s    0:00:00 (xfr#15, to-chk=16/32)\r     42,000,008  62%   42.30MB/s    0:00:00 (xfr#16, to-chk=15/32)\r     42,983,048  64%   39.11MB/s    0:00:00  \r     45,000,008  67%   40.87MB/s    0:00:01 (xfr#17, to-chk=14/32)\r     48,000,008  71%   39.67MB/s    0:00:01 (xfr#18, to-chk=13/32)\r     51,000,008  76%   42.04MB/s    0:00:01 (xfr#19, to-chk=12/32)\r     54,000,008  80%   40.84MB/s    0:00:01 (xfr#20, to-chk=11/32)\r     57,000,008  85%   39.79MB/s    0:00:01 (xfr#21, to-chk=10/32)\r     59,000,008  88%   41.13MB/s    0:00:01 (xfr#22, to-chk=8/32) \r     61,000,008  91%   39.57MB/s    0:00:01 (xfr#23, to-chk=6/32)\r     63,000,008  94%   40.82MB/s    0:00:01 (xfr#24, to-chk=4/32)\r     65,000,008  97%   39.38MB/s    0:00:01 (xfr#25, to-chk=2/32)\r     67,000,008 100%   40.52MB/s    0:00:01 (xfr#26, to-chk=0/32)\r     67,000,008 100%   40.52MB/s    0:00:01 (xfr#26, to-chk=0/32)\r     67,000,008 100%   40.52MB/s    0:00:01 (xfr#26, to-chk=0/32)\r     67,000,008 100%   40.52MB/s    0:00:01 (xfr#26, to-chk=0/32)\n\nNumber of files: 32 (reg: 26, dir: 6)\nNumber of created files: 32 (reg: 26, dir: 6)\nNumber of deleted files: 0\nNumber of regular files transferred: 26\nTotal file size: 67,000,008 bytes\nTotal transferred file size: 67,000,008 bytes\nLiteral data: 67,000,008 bytes\nMatched data: 0 bytes\nFile list size: 0\nFile list generation time: 0.001 seconds\nFile list transfer time: 0.000 seconds\nTotal bytes sent: 67,018,079\nTotal bytes received: 529\n\nsent 67,018,079 bytes  received 529 bytes  26,807,443.20 bytes/sec\ntotal size is 67,000,008  speedup is 1.00\n';

// Captured from rsync 3.5.0 with incremental recursion (no --no-inc-recursive) on a tree of 1,600 dirs.
const CAPTURED_IR_CHK =
  '\r              0   0%    0.00kB/s    0:00:00 (xfr#0, ir-chk=1000/1081)\r              5   0%    0.00kB/s    0:00:00  \r              5   0%    0.00kB/s    0:00:00 (xfr#1, ir-chk=1039/1121)\r              5   0%    0.00kB/s    0:00:00 (xfr#1, ir-chk=1039/1121)\r             11   0%    5.86kB/s    0:00:00 (xfr#2, ir-chk=1038/1121)\r             17   0%   11.72kB/s    0:00:00 (xfr#3, ir-chk=1037/1121)\r             23   0%   17.58kB/s    0:00:00 (xfr#4, ir-chk=1036/1121)\r             29   0%   23.44kB/s    0:00:00 (xfr#5, ir-chk=1035/1121)\r             35   1%   29.30kB/s    0:00:00 (xfr#6, ir-chk=1034/1121)\r             41   1%   35.16kB/s    0:00:00 (xfr#7, ir-chk=1033/1121)';

describe('parseProgressLine', () => {
  it('reads bytes, percent, speed, eta and the file counters', () => {
    expect(parseProgressLine('  1,234,567  45%   12.34MB/s    0:00:03 (xfr#12, to-chk=3/20)')).toEqual({
      bytes: 1234567,
      percent: 45,
      speed: Math.round(12.34 * 1024 * 1024),
      eta: 3,
      files: 12,
      toCheck: { remaining: 3, total: 20, incremental: false },
    });
  });

  it('handles kB/s, GB/s, hours and the ir-chk variant', () => {
    const p = parseProgressLine('  9,876,543,210  99%    1.50GB/s    1:02:03 (xfr#1234, ir-chk=1000/5000)');
    expect(p?.bytes).toBe(9876543210);
    expect(p?.speed).toBe(Math.round(1.5 * 1024 ** 3));
    expect(p?.eta).toBe(3723);
    expect(p?.toCheck).toEqual({ remaining: 1000, total: 5000, incremental: true });
    expect(parseProgressLine('         32,768   0%    0.00kB/s    0:00:00  ')).toEqual({
      bytes: 32768,
      percent: 0,
      speed: 0,
      eta: 0,
    });
    expect(
      parseProgressLine('        100,000   1%   76.29kB/s    0:00:00 (xfr#5, to-chk=295/601)')?.speed,
    ).toBe(Math.round(76.29 * 1024));
  });

  it('leaves eta out when rsync cannot tell it', () => {
    const p = parseProgressLine('      1,000   0%    0.00kB/s    ??:??:??  ');
    expect(p).toBeDefined();
    expect(p?.eta).toBeUndefined();
  });

  it('ignores lines that are not status lines', () => {
    for (const line of [
      '',
      'Number of files: 32 (reg: 26, dir: 6)',
      'sent 67,018,079 bytes  received 529 bytes  26,807,443.20 bytes/sec',
      'rsync: [receiver] write failed on "/x": No space left on device (28)',
      '>fc........ a',
    ])
      expect(parseProgressLine(line)).toBeUndefined();
  });
});

describe('parseProgressOutput on captured output', () => {
  it('finds every status line of a --no-inc-recursive run, monotonic, ending at 100 %', () => {
    const records = parseProgressOutput(CAPTURED_TO_CHK);
    expect(records.length).toBe(CAPTURED_TO_CHK.split('\r').filter((s) => /\d%/.test(s)).length);
    for (let i = 1; i < records.length; i++)
      expect(records[i]!.bytes).toBeGreaterThanOrEqual(records[i - 1]!.bytes);
    const last = records.at(-1)!;
    expect(last).toMatchObject({ bytes: 67000008, percent: 100, files: 26 });
    expect(last.toCheck).toEqual({ remaining: 0, total: 32, incremental: false });
    expect(records.some((r) => r.toCheck?.incremental)).toBe(false);
  });

  it('reads the ir-chk variant of an incremental-recursion run', () => {
    const records = parseProgressOutput(CAPTURED_IR_CHK);
    expect(records.length).toBeGreaterThan(5);
    expect(records[0]!.toCheck).toEqual({ remaining: 1000, total: 1081, incremental: true });
    expect(records.every((r) => r.files === undefined || r.toCheck?.incremental)).toBe(true);
  });

  it('gives the same records however the stream is cut into chunks', () => {
    const whole = parseProgressOutput(CAPTURED_TO_CHK);
    const splitter = createLineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < CAPTURED_TO_CHK.length; i += 7)
      lines.push(...splitter.push(CAPTURED_TO_CHK.slice(i, i + 7)));
    lines.push(...splitter.end());
    const chunked = lines.map(parseProgressLine).filter((p) => p !== undefined);
    expect(chunked).toEqual(whole);
  });

  it('treats \\r\\n, \\r and \\n alike and keeps an unfinished tail for the next chunk', () => {
    const s = createLineSplitter();
    expect(s.push('a\r\nb\rc\nd')).toEqual(['a', 'b', 'c']);
    expect(s.push('e\n')).toEqual(['de']);
    expect(s.end()).toEqual([]);
  });
});

describe('parseRsyncStats', () => {
  it('reads the --stats block of the captured run', () => {
    expect(parseRsyncStats(CAPTURED_TO_CHK)).toEqual({
      files: 32,
      regularFiles: 26,
      dirs: 6,
      createdFiles: 32,
      transferredFiles: 26,
      totalFileSize: 67000008,
      totalTransferredFileSize: 67000008,
    });
  });

  it('reads a dry run against --link-dest (only the changed file is transferred)', () => {
    const out = [
      'Number of files: 32 (reg: 26, dir: 6)',
      'Number of created files: 0',
      'Number of regular files transferred: 1',
      'Total file size: 67,000,008 bytes',
      'Total transferred file size: 8 bytes',
    ].join('\n');
    expect(parseRsyncStats(out)).toMatchObject({
      totalFileSize: 67000008,
      totalTransferredFileSize: 8,
      createdFiles: 0,
    });
  });

  it('returns nothing for output without stats', () => {
    expect(parseRsyncStats('hello\n')).toEqual({});
  });
});

describe('parseItemizeOutput', () => {
  it('counts every non-empty line as a difference (captured from rsync -c -n -i --delete)', () => {
    const out =
      '*deleting   extra\n.d..t...... ./\nhf          b => a\n>fc........ c\n>fc........ new\\#012line\n';
    expect(parseItemizeOutput(out)).toEqual([
      '*deleting   extra',
      '.d..t...... ./',
      'hf          b => a',
      '>fc........ c',
      '>fc........ new\\#012line',
    ]);
  });

  it('is empty when rsync itemized nothing', () => {
    expect(parseItemizeOutput('')).toEqual([]);
    expect(parseItemizeOutput('\n\n')).toEqual([]);
  });
});
