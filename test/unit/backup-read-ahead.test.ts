import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/main/core/backup/checksum-pass';

// The verify's walk runs ahead of the pass writing the index (checksum-pass.ts readAhead), so rsync can compare
// what the walk listed while the pass goes on; ahead by a bounded number of files, never unbounded.

const tick = () => new Promise((r) => setTimeout(r, 5));

function source(runs: number[][], pulled: { count: number }, failAt?: number) {
  return (async function* () {
    for (const [i, run] of runs.entries()) {
      await tick();
      if (i === failAt) throw new Error('EIO: the walk failed');
      pulled.count += run.length;
      yield run;
    }
  })();
}

describe('the walk read ahead of the pass', () => {
  it('hands on every run in order and says the walk is done before the pass has taken them all', async () => {
    const pulled = { count: 0 };
    let walked = false;
    const got: number[][] = [];
    let walkedWhenTaken = 0;
    for await (const run of readAhead(source([[1], [2, 3], [4], [5]], pulled), 100, () => (walked = true))) {
      await new Promise((r) => setTimeout(r, 30)); // a slow pass
      got.push(run);
      if (walked && walkedWhenTaken === 0) walkedWhenTaken = got.length;
    }
    expect(got).toEqual([[1], [2, 3], [4], [5]]);
    expect(walked).toBe(true);
    expect(walkedWhenTaken).toBeLessThan(4);
  });

  it('holds no more than its bound ahead of the pass', async () => {
    const pulled = { count: 0 };
    const runs = Array.from({ length: 20 }, (_, i) => [i]);
    let most = 0;
    let taken = 0;
    for await (const run of readAhead(source(runs, pulled), 3, () => undefined)) {
      taken += run.length;
      await new Promise((r) => setTimeout(r, 20));
      most = Math.max(most, pulled.count - taken);
    }
    expect(taken).toBe(20);
    expect(most).toBeLessThanOrEqual(3);
  });

  it("throws the walk's failure to the pass, and never says the walk is done", async () => {
    let walked = false;
    const got: number[][] = [];
    await expect(async () => {
      for await (const run of readAhead(source([[1], [2], [3]], { count: 0 }, 2), 100, () => (walked = true)))
        got.push(run);
    }).rejects.toThrow(/EIO/);
    expect(got).toEqual([[1], [2]]);
    expect(walked).toBe(false);
  });

  it('stops pulling when the pass stops', async () => {
    const pulled = { count: 0 };
    const runs = Array.from({ length: 50 }, (_, i) => [i]);
    for await (const run of readAhead(source(runs, pulled), 2, () => undefined)) if (run[0] === 1) break;
    await new Promise((r) => setTimeout(r, 100));
    expect(pulled.count).toBeLessThan(8);
  });
});
