import { execFileSync } from 'node:child_process';
import { chmod, link, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkCopy } from '../../src/main/core/backup/copy-walk';
import { comparePaths } from '../../src/main/core/backup/file-index';
import { createHashPool, LISTING_MAX, type HashPool } from '../../src/main/core/backup/hash-pool';
import { walkFiles } from '../../src/main/core/backup/walk-files';

// The verify's one walk of a copy beside its source and the previous backup (copy-walk.ts): the files in the
// index's order with what "inherit or read" needs, which entries exist on one side only, and every entry that
// is not a regular file (rsync's to compare).

let dir: string;
let pool: HashPool;
const noSignal = new AbortController().signal;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-copy-walk-'));
  pool = createHashPool(2);
});
afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

async function walk(roots: { copy: string; source: string; previous?: string }, skip = new Set<string>()) {
  const others: string[] = [];
  const problems: string[] = [];
  const files = [];
  const runs: string[][] = [];
  for await (const run of walkCopy(pool, roots, skip, noSignal, {
    onOther: (p) => others.push(p),
    onProblem: (p, what) => problems.push(`${p}: ${what}`),
  })) {
    files.push(...run);
    runs.push(run.map((f) => f.path));
  }
  return { files, others, problems, runs };
}

describe('the verify walk of a copy', () => {
  it('yields the files in index order with their facts, and lists what is not a regular file', async () => {
    const root = join(dir, 'order');
    const [src, prev, copy] = [join(root, 'src'), join(root, 'prev'), join(root, 'copy')];
    for (const t of [src, copy]) {
      // Names chosen so that byte order and component order differ: "a/x" sorts before "a-b" and "a0".
      await mkdir(join(t, 'a', 'deep'), { recursive: true });
      await writeFile(join(t, 'a', 'x'), 'ax');
      await writeFile(join(t, 'a', 'deep', 'y'), 'y');
      await writeFile(join(t, 'a-b'), 'dash');
      await writeFile(join(t, 'a0'), 'zero');
      await writeFile(join(t, 'Z'), 'upper');
      await symlink('a0', join(t, 'link'));
    }
    await mkdir(prev);
    await link(join(copy, 'a0'), join(prev, 'a0')); // the previous backup's inode: linked
    await writeFile(join(prev, 'a-b'), 'dash'); // same name, another inode: not linked
    await chmod(join(copy, 'Z'), 0o600);
    await chmod(join(src, 'Z'), 0o644);
    const t = new Date('2020-01-02T03:04:05Z');
    await utimes(join(copy, 'a-b'), t, t);
    await utimes(join(src, 'a-b'), t, t);

    const { files, others, problems, runs } = await walk({ copy, source: src, previous: prev });
    expect(problems).toEqual([]);
    // In runs: a folder's files up to its next subfolder.
    expect(runs).toEqual([['Z'], ['a/deep/y'], ['a/x'], ['a-b', 'a0']]);
    const paths = files.map((f) => f.path);
    const expected: string[] = [];
    for await (const p of walkFiles(copy)) expected.push(p);
    expect(paths).toEqual(expected);
    expect(paths).toEqual([...paths].sort(comparePaths));
    expect(paths).toEqual(['Z', 'a/deep/y', 'a/x', 'a-b', 'a0']);
    expect(others.sort()).toEqual(['.', 'a', 'a/deep', 'link']);

    const by = Object.fromEntries(files.map((f) => [f.path, f.facts]));
    expect(by['a0']!.linked).toBe(true);
    expect(by['a-b']!.linked).toBe(false);
    expect(by['a-b']!.same).toBe(true); // mode, owner and mtime equal
    expect(by['Z']!.same).toBe(false); // the mode differs
    expect(by['a/x']!.size).toBe(2);
    const st = execFileSync('stat', ['-c', '%s %i %Z', join(src, 'a', 'x')], { encoding: 'utf8' }).split(' ');
    expect(by['a/x']!.src).toMatchObject({ size: Number(st[0]), ino: st[1] });
    expect(by['a/x']!.src!.ctimeNs.slice(0, -9)).toBe(st[2]!.trim());
  });

  it('reports entries on one side only, a source file that is not a file, and skips reserved names at the root', async () => {
    const root = join(dir, 'diff');
    const [src, copy] = [join(root, 'src'), join(root, 'copy')];
    for (const t of [src, copy]) await mkdir(join(t, 'd'), { recursive: true });
    await writeFile(join(copy, 'extra'), '');
    await writeFile(join(src, 'd', 'missing'), '');
    await writeFile(join(copy, 'd', 'now-a-folder'), '');
    await mkdir(join(src, 'd', 'now-a-folder'));
    await writeFile(join(copy, 'kintsugi-backup.json'), '{}');
    await mkdir(join(copy, 'gone'));
    await writeFile(join(copy, 'gone', 'f'), '');

    const { files, problems } = await walk({ copy, source: src }, new Set(['kintsugi-backup.json']));
    expect(problems.sort()).toEqual([
      'd/missing: missing from the copy',
      'extra: only in the copy',
      'gone: only in the copy',
    ]);
    expect(files.map((f) => [f.path, f.facts.src])).toEqual([['d/now-a-folder', null]]);
  });

  it('asks the pool for each folder once, ahead of the walk (more folders than the look-ahead holds)', async () => {
    const root = join(dir, 'wide');
    const [src, copy] = [join(root, 'src'), join(root, 'copy')];
    // More folders than the look-ahead (16) at two levels: some are asked ahead, some only when reached.
    for (const t of [src, copy])
      for (let i = 0; i < 20; i++)
        for (let j = 0; j < 3; j++) {
          await mkdir(join(t, `d${i}`, `e${j}`), { recursive: true });
          await writeFile(join(t, `d${i}`, `e${j}`, 'f'), `${i}/${j}`);
        }
    const asked: string[] = [];
    const counting: HashPool = {
      ...pool,
      folder: (c, s, p) => {
        asked.push(c.slice(copy.length));
        return pool.folder(c, s, p);
      },
    };
    const files: string[] = [];
    for await (const run of walkCopy(counting, { copy, source: src }, new Set(), noSignal, {
      onOther: () => undefined,
      onProblem: () => undefined,
    }))
      files.push(...run.map((f) => f.path));
    expect(files).toHaveLength(60);
    expect(asked).toHaveLength(1 + 20 + 60);
    expect(new Set(asked).size).toBe(asked.length);
  });

  it(`describes a folder of more than LISTING_MAX (${LISTING_MAX}) files a chunk at a time, in order`, async () => {
    const root = join(dir, 'big');
    const [src, copy] = [join(root, 'src'), join(root, 'copy')];
    const count = LISTING_MAX + 5;
    for (const t of [src, copy]) {
      await mkdir(t, { recursive: true });
      for (let i = 0; i < count; i += 500)
        execFileSync('sh', [
          '-c',
          `cd "${t}" && for n in $(seq ${i} ${Math.min(i + 499, count - 1)}); do : > f$n; done`,
        ]);
    }
    await writeFile(join(src, 'f4100'), 'longer'); // a size only the source has: its facts are its own
    const { files, problems, runs } = await walk({ copy, source: src });
    expect(problems).toEqual([]);
    expect(files).toHaveLength(count);
    expect(runs.map((r) => r.length)).toEqual([LISTING_MAX, count - LISTING_MAX]); // bounded runs
    expect(files.map((f) => f.path)).toEqual(files.map((f) => f.path).sort());
    expect(files.every((f) => f.facts.name === f.path.split('/').pop())).toBe(true);
    expect(files.find((f) => f.path === 'f4100')!.facts.src!.size).toBe(6);
  }, 30_000); // making 8,200 files took 4.6 s on a quiet machine, past the unit project's 5 s under load
});
