import * as fsp from 'node:fs/promises';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobIdTime, newJobId } from '../../src/main/core/jobs/job-id';
import { JobJournal } from '../../src/main/core/jobs/journal';
import type { JobRecord } from '../../src/shared/jobs/record';

// The journal's prune after each job (journal.ts) against a real folder: it keeps the newest finished jobs and
// reads no record to find the oldest. Every read of a record file is counted: node:fs/promises is the real module,
// its readFile and open wrapped to note the paths they are given.

const reads: string[] = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fsp>();
  return {
    ...real,
    readFile: (path: string, ...rest: unknown[]) => {
      reads.push(String(path));
      return (real.readFile as (...a: unknown[]) => unknown)(path, ...rest);
    },
    open: (path: string, ...rest: unknown[]) => {
      reads.push(String(path));
      return (real.open as (...a: unknown[]) => unknown)(path, ...rest);
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-prune-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (id: string, state: JobRecord['state']): JobRecord => ({
  id,
  type: 'restore',
  title: 'Restore a backup',
  host: 'helper',
  params: {},
  state,
  startedAt: new Date(jobIdTime(id) ?? 0).toISOString(),
});

const recordReads = () => reads.filter((p) => p.startsWith(dir) && p.endsWith('.json'));
const kept = async () =>
  (await readdir(dir))
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length))
    .sort();

describe('the journal prune', () => {
  it('removes the oldest finished jobs, never a running one, and reads no record to find them', async () => {
    const journal = new JobJournal(dir, { keep: 3 });
    await journal.recoverInterrupted(); // as every start does: the folder is stamped, its running jobs marked
    const t0 = Date.parse('2026-11-25T10:00:00Z');
    const ids = Array.from({ length: 7 }, (_, n) => newJobId(t0 + n * 60_000)); // one a minute, oldest first
    const runningOldest = ids[0]!;
    // Written newest first, so the files' own order (and their mtimes) says the opposite of the ids.
    for (const id of [...ids].reverse()) {
      await journal.write(record(id, 'running'));
      if (id !== runningOldest) await journal.write(record(id, 'done'));
      await journal.log(id, 'a line');
    }
    reads.length = 0;
    await journal.prune();
    expect(recordReads()).toEqual([]);
    // The three newest finished jobs stay, and the running one however old; ids[1..3] went, with their logs.
    expect(await kept()).toEqual([runningOldest, ...ids.slice(4)].sort());
    const names = await readdir(dir);
    for (const gone of ids.slice(1, 4)) expect(names).not.toContain(`${gone}.log`);
    expect(names).toContain(`${ids[6]}.log`);
  });

  it('ages ids that carry no time (from before time-ordered ids) by their record mtime, oldest first', async () => {
    const journal = new JobJournal(dir, { keep: 2 });
    await journal.recoverInterrupted();
    // Names in the opposite order of their age: a prune by name alone would remove the wrong ones.
    const legacy = ['c-legacy', 'b-legacy', 'a-legacy'];
    for (const [n, id] of legacy.entries()) {
      await journal.write(record(id, 'done'));
      const at = new Date(Date.parse('2026-01-01T00:00:00Z') + n * 3_600_000);
      await utimes(join(dir, `${id}.json`), at, at);
    }
    const recent = newJobId(Date.parse('2026-11-25T10:00:00Z'));
    await journal.write(record(recent, 'done'));
    reads.length = 0;
    await journal.prune();
    expect(recordReads()).toEqual([]);
    expect(await kept()).toEqual(['a-legacy', recent].sort());
  });

  it('marks the running records of a folder from before the markers first, so it does not prune them', async () => {
    const stale = newJobId(Date.parse('2026-01-01T00:00:00Z'));
    // Written by hand as an older version did: running, no marker, no stamp.
    await writeFile(join(dir, `${stale}.json`), JSON.stringify(record(stale, 'running')));
    const journal = new JobJournal(dir, { keep: 1 });
    const newer = [1, 2].map((d) => newJobId(Date.parse(`2026-11-2${d}T00:00:00Z`)));
    for (const id of newer) await journal.write(record(id, 'done'));
    await journal.prune();
    expect(await kept()).toEqual([stale, newer[1]!].sort());
  });
});
