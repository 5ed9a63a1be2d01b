import { link, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHashPool, type HashPool } from '../../src/main/core/backup/hash-pool';
import { measureTree, poolLister, type ListDir } from '../../src/main/core/backup/space';

// The backup's source is walked on the hash pool's workers (a folder per message) instead of libuv's lstat: the
// sizes it measures and the stats it hands the verify must be the ones libuv's own calls give.

let dir: string;
let pool: HashPool;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-pool-walk-'));
  await mkdir(join(dir, 'a', 'b'), { recursive: true });
  await writeFile(join(dir, 'a', 'one'), 'x'.repeat(5000));
  await writeFile(join(dir, 'a', 'b', 'two'), 'y'.repeat(70_000));
  await writeFile(join(dir, 'empty'), '');
  await link(join(dir, 'a', 'one'), join(dir, 'one-again')); // a hard link: counted once
  await symlink('a/one', join(dir, 'to-one'));
  pool = createHashPool(2);
});
afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

describe('hash pool walk', () => {
  it('measures a tree as libuv lstat does, and sees the same entries', async () => {
    const seen = (into: string[]) => (rel: string, st: { isFile(): boolean; size: number }) =>
      into.push(`${rel}:${st.isFile() ? st.size : '-'}`);
    const a: string[] = [];
    const b: string[] = [];
    const libuv = await measureTree(dir, undefined, 4096, seen(a));
    const workers = await measureTree(dir, undefined, 4096, seen(b), poolLister(pool));
    expect(workers).toEqual(libuv);
    // A hard-linked pair is visited once, under whichever name comes first (listing orders differ).
    const named = (xs: string[]) => xs.map((x) => x.replace(/^(a\/one|one-again):/, 'one:')).sort();
    expect(named(b)).toEqual(named(a));
    expect(named(b).filter((x) => x === 'one:5000')).toHaveLength(1);
    expect(libuv.apparentBytes).toBe(75_000);
    expect(libuv.dirs).toBe(2);
  });

  it('lists up to four folders at a time on the pool, measuring what libuv measures; a failing folder fails the walk', async () => {
    const wide = join(dir, 'wide');
    for (let i = 0; i < 12; i++) await mkdir(join(wide, `d${i}`, 'sub'), { recursive: true });
    let inFlight = 0;
    let most = 0;
    const counting =
      (inner: ListDir): ListDir =>
      async (d) => {
        most = Math.max(most, ++inFlight);
        try {
          await new Promise((r) => setTimeout(r, 5));
          return await inner(d);
        } finally {
          inFlight--;
        }
      };
    const parallel = await measureTree(wide, undefined, 4096, undefined, counting(poolLister(pool)));
    expect(most).toBe(4);
    expect(parallel).toEqual(await measureTree(wide));
    expect(parallel.dirs).toBe(24);

    const failing: ListDir = async (d) => {
      if (d.endsWith('/d7/sub')) throw new Error('EIO: i/o error, scandir');
      return poolLister(pool)(d);
    };
    await expect(measureTree(wide, undefined, 4096, undefined, failing)).rejects.toThrow(/EIO/);
  });

  it("lists a folder with each regular file's namesake beside it (what --link-dest compares)", async () => {
    const beside = join(dir, 'beside');
    await mkdir(join(beside, 'b'), { recursive: true });
    await writeFile(join(beside, 'one'), 'x'.repeat(7));
    const listed = await pool.list(join(dir, 'a'), beside);
    const one = listed.find((e) => e.name === 'one')!;
    expect(one.prev).toMatchObject({ size: 7 });
    expect(one.prev!.mtimeMs).toBe((await stat(join(beside, 'one'))).mtimeMs);
    expect(listed.find((e) => e.name === 'b')!.prev).toBeUndefined(); // a folder: nothing asked
    // Without a namesake, or beside a tree that lacks the folder: null, not a failure.
    expect((await pool.list(join(dir, 'a', 'b'), join(beside, 'b'))).map((e) => e.prev)).toEqual([null]);
    expect(
      (await pool.list(join(dir, 'a'), join(dir, 'nowhere'))).find((e) => e.name === 'one')!.prev,
    ).toBeNull();
    // Not asked for: no prev at all (the walk then stats the namesake itself).
    expect((await pool.list(join(dir, 'a'))).find((e) => e.name === 'one')!.prev).toBeUndefined();
  });
});
