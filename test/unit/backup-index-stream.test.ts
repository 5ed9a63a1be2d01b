import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePaths,
  createIndexWriter,
  IndexDamaged,
  indexCursor,
  readIndex,
  readIndexBatches,
  indexLine,
  asIndexEntry,
  parseIndexLine,
  type IndexEntry,
} from '../../src/main/core/backup/file-index';
import { backupUsable } from '../../src/shared/backup/usable';
import { backupParams } from '../../src/shared/backup/contract';
import { fullVerifyDue } from '../../src/shared/backup/full-verify';
import type { BackupManifest } from '../../src/shared/model';

// The per-file index must stay streamable: a million-file tree's list is written and read line by line, its
// sha256 checked at the end, and the order the walk uses is the order a merge join relies on.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-index-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SHA = 'ab'.repeat(32);
const entry = (path: string): IndexEntry => ({ path, size: 1, sha256: SHA, how: 'hashed' });

describe('the index order', () => {
  it('sorts component by component (a folder stays together, before a sibling that extends its name)', () => {
    const paths = ['a-b', 'a/z', 'a', 'a/b/c', 'b'];
    expect([...paths].sort(comparePaths)).toEqual(['a', 'a/b/c', 'a/z', 'a-b', 'b']);
  });
  it('orders names by their bytes (byte paths), 0xff after every UTF-8 lead byte', () => {
    const paths = ['\xff', 'z', '\xc3\xa9', 'A'];
    expect([...paths].sort(comparePaths)).toEqual(['A', 'z', '\xc3\xa9', '\xff']);
  });
});

describe('a million-entry index', () => {
  const N = 1_000_000;
  let path: string;
  let sha256: string;

  it('is read back in bounded memory, its sha256 checked at the end', async () => {
    // The lines are generated in 10,000-line chunks (a real tree of a million files is not needed).
    path = join(dir, 'big.ndjson');
    const name = (i: number) =>
      `d${String(Math.floor(i / 1000)).padStart(4, '0')}/f${String(i % 1000).padStart(4, '0')}`;
    const hash = createHash('sha256');
    const fh = await open(path, 'w');
    for (let i = 0; i < N; i += 10_000) {
      const chunk = Buffer.from(
        Array.from({ length: 10_000 }, (_, k) => `${JSON.stringify(entry(name(i + k)))}\n`).join(''),
      );
      hash.update(chunk);
      await fh.write(chunk);
    }
    await fh.close();
    sha256 = hash.digest('hex');

    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let n = 0;
    const bytes = (await stat(path)).size;
    for await (const e of readIndex(path, { sha256, entries: N, bytes })) {
      if (n === 123_456) expect(e.path).toBe(name(123_456));
      if (++n % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
    expect(n).toBe(N);
    // A million entries held at once would take hundreds of MiB; streaming stays far below this bound.
    expect(peak).toBeLessThan(96 * 1024 * 1024);
  }, 60_000);
});

describe('the index writer', () => {
  it('records the sha256, length and lines it wrote; a read expecting any other fails at the end', async () => {
    const p = join(dir, 'small.ndjson');
    const w = await createIndexWriter(p);
    for (const x of ['a', 'b/c']) await w.add(entry(x));
    const done = await w.close();
    expect(done.entries).toBe(2);
    expect(done.bytes).toBe((await stat(p)).size);
    expect(done.sha256).toBe(
      createHash('sha256')
        .update(await readFile(p))
        .digest('hex'),
    );
    const paths: string[] = [];
    for await (const e of readIndex(p, done)) paths.push(e.path);
    expect(paths).toEqual(['a', 'b/c']);
    for (const wrong of [
      { ...done, sha256: '0'.repeat(64) },
      { ...done, entries: 3 },
      { ...done, bytes: done.bytes + 1 },
    ])
      await expect(async () => {
        for await (const _ of readIndex(p, wrong));
      }).rejects.toBeInstanceOf(IndexDamaged);
  });

  it('keeps a name that is not UTF-8 as its bytes (base64, flagged), and a UTF-8 one as text', async () => {
    const p = join(dir, 'bytes.ndjson');
    // Byte paths: one char per byte. 0xff is never UTF-8; "\xc3\xa9" is "é" in UTF-8.
    const names = ['caf\xc3\xa9', 'd/a\xffb', 'd/x\nz'];
    const w = await createIndexWriter(p);
    for (const x of names) await w.add(entry(x));
    const done = await w.close();
    const lines = (await readFile(p, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ path: 'café' });
    expect(lines[1]).not.toHaveProperty('path');
    expect(Buffer.from(lines[1]!['pathBytes'] as string, 'base64')).toEqual(
      Buffer.from([0x64, 0x2f, 0x61, 0xff, 0x62]),
    );
    expect(lines[2]).toMatchObject({ path: 'd/x\nz' });
    const back: string[] = [];
    for await (const e of readIndex(p, done)) back.push(e.path);
    expect(back).toEqual(names);
  });

  it('refuses a name given both ways, or as base64 bytes that are UTF-8 text (one spelling per name)', async () => {
    const p = join(dir, 'two-names.ndjson');
    const bad = [
      { ...entry('a'), pathBytes: Buffer.from([0xff]).toString('base64') },
      { size: 1, sha256: SHA, how: 'hashed', pathBytes: Buffer.from('a').toString('base64') },
      { size: 1, sha256: SHA, how: 'hashed', pathBytes: '*not base64*' },
    ];
    for (const line of bad) {
      await writeFile(p, `${JSON.stringify(line)}\n`);
      await expect(async () => {
        for await (const _ of readIndex(p));
      }).rejects.toThrow(/line 1 .* not a file entry/);
    }
  });
});

describe('damaged indexes', () => {
  it('a line out of order or not an entry fails at that line', async () => {
    const p = join(dir, 'bad.ndjson');
    await writeFile(p, `${JSON.stringify(entry('b'))}\n${JSON.stringify(entry('a'))}\n`);
    await expect(async () => {
      for await (const _ of readIndex(p));
    }).rejects.toThrow(/line 2 .* out of order/);
    await writeFile(p, `${JSON.stringify({ ...entry('a'), sha256: 'x' })}\n`);
    await expect(async () => {
      for await (const _ of readIndex(p));
    }).rejects.toThrow(/line 1 .* not a file entry/);
  });

  it('the cursor finds entries in walk order and skips the ones the walk no longer has', async () => {
    const p = join(dir, 'cursor.ndjson');
    await writeFile(p, ['a', 'a/x', 'b', 'c'].map((x) => `${JSON.stringify(entry(x))}\n`).join(''));
    const c = indexCursor(readIndexBatches(p));
    await c.ahead('a', 'a/w');
    expect(c.take('a')?.path).toBe('a');
    expect(c.take('a/w')).toBeUndefined();
    await c.ahead('b', 'd');
    expect(c.take('b')?.path).toBe('b');
    expect(c.take('c')?.path).toBe('c');
    expect(c.take('d')).toBeUndefined();
    await c.finish();
  });

  it('reads an index of many chunks whole: lines cut by a chunk boundary, and a last line without its newline', async () => {
    const p = join(dir, 'chunks.ndjson');
    // ~40,000 lines of ~200 bytes: many 256 KiB reads, nearly every boundary inside a line.
    const paths = Array.from({ length: 40_000 }, (_, i) => `d${String(i).padStart(6, '0')}/caf\xc3\xa9-${i}`);
    const text = paths
      .map((x) =>
        JSON.stringify({
          path: Buffer.from(x, 'latin1').toString('utf8'),
          size: 1,
          sha256: 'a'.repeat(64),
          how: 'hashed',
        }),
      )
      .join('\n');
    await writeFile(p, text); // no newline after the last line
    const read: string[] = [];
    for await (const e of readIndex(p)) read.push(e.path);
    expect(read).toEqual(paths);
    // Runs of 997 paths (every third one asked for), across many chunks: each run's entries are all found.
    const c = indexCursor(readIndexBatches(p));
    for (let i = 0; i < paths.length; i += 997) {
      const run = paths.slice(i, i + 997);
      await c.ahead(run[0]!, run.at(-1)!);
      for (let j = 0; j < run.length; j += 3) expect(c.take(run[j]!)?.path).toBe(run[j]);
      expect(c.take(run.at(-1)!)?.path).toBe(run.at(-1));
    }
    await c.finish();
  });

  it('writes each line as the JSON of its fields (names escaped, non-UTF-8 names in base64) and refuses what would not read back', () => {
    const src = { size: 3, mtimeNs: '1700000000123456789', ctimeNs: '1700000000987654321', ino: '42' };
    const entries: IndexEntry[] = [
      { path: 'plain.txt', size: 3, sha256: 'a'.repeat(64), how: 'hashed', src },
      { path: 'q"uote\\back\nline\x1b', size: 0, sha256: 'b'.repeat(64), how: 'inherited', src },
      { path: 'caf\xc3\xa9/\xe2\x80\xa8', size: 7, sha256: 'c'.repeat(64), how: 'hashed' },
      { path: 'x\x80y/\xff', size: 1, sha256: 'd'.repeat(64), how: 'inherited', src },
    ];
    for (const e of entries) {
      const line = indexLine(e);
      const { path, ...rest } = e;
      const bytes = Buffer.from(path, 'latin1');
      const name = isUtf8(bytes) ? { path: bytes.toString('utf8') } : { pathBytes: bytes.toString('base64') };
      expect(line).toBe(`${JSON.stringify({ ...name, ...rest })}\n`);
      expect(asIndexEntry(JSON.parse(line))).toEqual(e);
    }
    const good = entries[0]!;
    expect(() => indexLine({ ...good, sha256: 'A'.repeat(64) })).toThrow(/not an index entry/);
    expect(() => indexLine({ ...good, size: -1 })).toThrow(/not an index entry/);
    expect(() => indexLine({ ...good, how: 'guessed' as 'hashed' })).toThrow(/not an index entry/);
    expect(() => indexLine({ ...good, src: { ...src, ctimeNs: '1","x":"y' } })).toThrow(
      /not a source record/,
    );
  });

  it('reads a line as JSON.parse and the entry rules would, whatever the line', () => {
    const generic = (line: string) => {
      try {
        return asIndexEntry(JSON.parse(line));
      } catch {
        return undefined;
      }
    };
    const src = { size: 3, mtimeNs: '1700000000123456789', ctimeNs: '0170', ino: '42' };
    const written = [
      { path: 'plain.txt', size: 3, sha256: 'a'.repeat(64), how: 'hashed', src },
      { path: 'q"uote\\back\nline\x1b\u2028', size: 0, sha256: 'b'.repeat(64), how: 'inherited', src },
      { path: 'caf\xc3\xa9', size: 7, sha256: 'c'.repeat(64), how: 'hashed' },
      { path: 'x\x80y/\xff', size: 1, sha256: 'd'.repeat(64), how: 'inherited', src },
    ].map((e) => indexLine(e as IndexEntry).trimEnd());
    const line = written[0]!;
    const lines = [
      ...written,
      JSON.stringify(JSON.parse(line), null, 1).replace(/\n/g, ''), // other spacing
      line.replace('"size":3,', '"size":03,'), // a leading zero: not JSON
      line.replace('"size":3,', '"size":9007199254740993,'), // not a safe integer
      line.replace('"src":{"size":3,', '"src":{"size":9007199254740993,'),
      line.replace('"how":"hashed"', '"how":"hashed","extra":1'),
      line.replace('"ino":"42"', '"ino":"42","dev":"1"'),
      line.replace('"ino":"42"', '"ino":"4x"'),
      line.replace('plain.txt', ''),
      line.replace('plain.txt', 'bad\\u12'),
      line.replace('plain.txt', 'esc\\u00e9\\/'),
      line.replace('a'.repeat(64), 'A'.repeat(64)),
      line.replace('"path"', '"pathBytes"'),
      `${line} `,
      '{}',
      'not json',
    ];
    for (const l of lines) expect(parseIndexLine(l)).toEqual(generic(l));
    expect(lines.filter((l) => parseIndexLine(l) !== undefined)).toHaveLength(7);
  });

  it('orders paths component by component, as splitting them at "/" does', () => {
    const bySplit = (a: string, b: string) => {
      const x = a.split('/');
      const y = b.split('/');
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
      return x.length - y.length;
    };
    // Bytes below and above '/' (0x2f): ' ', '-', '.', '0', 'a', 0xff; and '/' itself.
    const alphabet = [' ', '-', '.', '/', '0', 'a', '\xff'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const word = () => Array.from({ length: 1 + rand(5) }, () => alphabet[rand(alphabet.length)]).join('');
    const paths = Array.from({ length: 400 }, word).filter(
      (w) => !w.startsWith('/') && !w.endsWith('/') && !w.includes('//'),
    );
    for (const a of paths)
      for (const b of paths.slice(0, 60))
        expect(Math.sign(comparePaths(a, b))).toBe(Math.sign(bySplit(a, b)));
  });
});

describe('the shared rules', () => {
  const m = { verified: true, verify: { sinceFull: 0 } } as unknown as BackupManifest;
  it('a backup is usable when verified and not failed by its last check; no manifest never is', () => {
    expect(backupUsable(m)).toBe(true);
    expect(backupUsable(undefined)).toBe(false);
    expect(backupUsable({ ...m, verified: false })).toBe(false);
    const check = { at: 'x', files: 1, problems: ['a: missing'], problemCount: 1 };
    expect(backupUsable(m, { ...check, ok: false })).toBe(false);
    expect(backupUsable(m, { ...check, ok: true })).toBe(true);
  });
  it('suggests a full verify for the Nth backup', () => {
    const after = (n: number) => ({ ...m, verify: { ...m.verify!, sinceFull: n } }) as BackupManifest;
    expect(fullVerifyDue(after(8), 10)).toBe(false);
    expect(fullVerifyDue(after(9), 10)).toBe(true);
    expect(fullVerifyDue(after(1), 2)).toBe(true);
    expect(fullVerifyDue(after(50), 0)).toBe(false);
    expect(fullVerifyDue(undefined, 10)).toBe(false);
    // An older version's backup (no verify record) after which nothing is due yet.
    expect(fullVerifyDue({ ...m, verify: undefined }, 10)).toBe(false);
  });
});

describe('the backup job parameters', () => {
  it('take fullVerify only as a boolean (the helper re-reads it as exactly true or false)', () => {
    const base = { source: '/dev/loop9', destRoot: '/backups' };
    expect(backupParams.safeParse({ ...base, fullVerify: true }).success).toBe(true);
    expect(backupParams.safeParse(base).success).toBe(true);
    expect(backupParams.safeParse({ ...base, fullVerify: 'yes' }).success).toBe(false);
    expect(backupParams.safeParse({ ...base, fullVerify: 1 }).success).toBe(false);
  });
});
