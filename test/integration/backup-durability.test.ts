import { lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobContext } from '../../src/main/core/jobs/context';
import { INCOMPLETE_SUFFIX, runBackup } from '../../src/main/core/backup/backup';
import { INDEX_NAME, MANIFEST_NAME } from '../../src/main/core/backup/manifest';
import { runRestore } from '../../src/main/core/backup/restore';

// "Verified" must mean "on the disk": a backup's manifest never exists while its data may still be only in the
// page cache, and a restore never reports success before its files are flushed. A power cut cannot be staged
// here, so the tests watch the order through the syncTree seam (real rsync, real files) and through fsyncPath,
// recording what exists on disk at each flush.

const trace = vi.hoisted(() => [] as { path: string; at: Snapshot }[]);
type Snapshot = { workExists: boolean; manifestInWork: boolean; finalExists: boolean };
let snapshot: (() => Promise<Snapshot>) | undefined;

vi.mock('../../src/main/core/util/fsync', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/main/core/util/fsync')>();
  return {
    fsyncPath: async (path: string) => {
      if (snapshot) trace.push({ path, at: await snapshot() });
      return real.fsyncPath(path);
    },
  };
});

const ID = 'kintsugi-backup-2026-11-23T11-30-00Z';
const now = () => new Date('2026-11-23T11:30:00.000Z');
let root: string;
let src: string;

function context(): JobContext & { logs: string[] } {
  const logs: string[] = [];
  return { signal: new AbortController().signal, progress: () => {}, log: (m) => logs.push(m), logs };
}

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );
const pause = () => new Promise((r) => setTimeout(r, 50));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kintsugi-durable-'));
  src = join(root, 'source');
  await mkdir(join(src, 'notes'), { recursive: true });
  await writeFile(join(src, 'notes/a.txt'), 'the user work\n');
  await writeFile(join(src, 'b.bin'), Buffer.alloc(64 * 1024, 7));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('backup durability', () => {
  it('flushes the copy before the manifest is written and before the rename; syncs the folder and the rename', async () => {
    const dest = join(root, 'dest-order');
    await mkdir(dest);
    const work = join(dest, ID + INCOMPLETE_SUFFIX);
    const final = join(dest, ID);
    snapshot = async () => ({
      workExists: await exists(work),
      manifestInWork: await exists(join(work, MANIFEST_NAME)),
      finalExists: await exists(final),
    });
    trace.length = 0;
    const syncs: {
      dir: string;
      atEntry: Snapshot;
      atExit: Snapshot;
      copied: boolean;
      verified: boolean;
    }[] = [];
    try {
      const result = await runBackup({ source: src, destRoot: dest, includeLoop: false }, context(), {
        now,
        earlyFlushFrom: 0, // a small tree: flushed early only when told to
        syncTree: async (dir) => {
          const atEntry = await snapshot!();
          const copied = await exists(join(dir, 'notes/a.txt'));
          // The verify's file list is moved into the copy when the verify is over.
          const verified = await exists(join(dir, INDEX_NAME));
          await pause(); // an un-awaited flush would let the manifest and the rename happen meanwhile
          syncs.push({ dir, atEntry, atExit: await snapshot!(), copied, verified });
        },
      });
      expect(result.path).toBe(final);
    } finally {
      snapshot = undefined;
    }

    const before: Snapshot = { workExists: true, manifestInWork: false, finalExists: false };
    // An early flush while the verify runs (it only saves time), then the one that counts: after the verify,
    // before the manifest.
    expect(syncs).toEqual([
      { dir: work, atEntry: before, atExit: before, copied: true, verified: false },
      { dir: work, atEntry: before, atExit: before, copied: true, verified: true },
    ]);
    // After the flush: the folder is synced with its manifest in it (restored root times included), then the
    // rename is synced through the destination root, last.
    expect(trace).toEqual([
      { path: work, at: { workExists: true, manifestInWork: true, finalExists: false } },
      { path: dest, at: { workExists: false, manifestInWork: false, finalExists: true } },
    ]);
    expect(await exists(join(final, MANIFEST_NAME))).toBe(true);
  });

  it('a small copy is flushed once, after the verify (an early flush would only compete with it)', async () => {
    const dest = join(root, 'dest-small');
    await mkdir(dest);
    const syncs: boolean[] = [];
    await runBackup({ source: src, destRoot: dest, includeLoop: false }, context(), {
      now,
      syncTree: async (dir) => {
        syncs.push(await exists(join(dir, INDEX_NAME))); // the verify's file list is in: the verify is over
      },
    });
    expect(syncs).toEqual([true]);
  });

  it('a failed flush is BACKUP_FAILED: no manifest, the folder stays unfinished', async () => {
    const dest = join(root, 'dest-fail');
    await mkdir(dest);
    const err = await runBackup({ source: src, destRoot: dest, includeLoop: false }, context(), {
      now,
      syncTree: async () => {
        throw new Error('EIO: i/o error, syncfs');
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BACKUP_FAILED', detail: expect.stringContaining('EIO') });
    expect(await readdir(dest)).toEqual([ID + INCOMPLETE_SUFFIX]);
    expect(await exists(join(dest, ID + INCOMPLETE_SUFFIX, MANIFEST_NAME))).toBe(false);
  });

  it('a write error only the early flush (during the verify) saw still fails the backup', async () => {
    // syncfs reports a write error once per open of the filesystem: the later flush may never see it again.
    const dest = join(root, 'dest-early-fail');
    await mkdir(dest);
    let calls = 0;
    const err = await runBackup({ source: src, destRoot: dest, includeLoop: false }, context(), {
      now,
      earlyFlushFrom: 0,
      syncTree: async () => {
        if (calls++ === 0) throw new Error('EIO: i/o error, syncfs');
      },
    }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(err).toMatchObject({ code: 'BACKUP_FAILED', detail: expect.stringContaining('EIO') });
    expect(await exists(join(dest, ID + INCOMPLETE_SUFFIX, MANIFEST_NAME))).toBe(false);
  });
});

describe('restore durability', () => {
  let backup: string;
  beforeAll(async () => {
    const dest = join(root, 'dest-restore');
    await mkdir(dest);
    backup = (await runBackup({ source: src, destRoot: dest, includeLoop: false }, context(), { now })).path;
  });

  it('flushes the restored tree before it reports success', async () => {
    const target = join(root, 'restored');
    const ctx = context();
    let settled = false;
    const syncs: { dir: string; copied: boolean; settledAtExit: boolean; logsAtExit: string[] }[] = [];
    const run = runRestore({ backupDir: backup, target, includeLoop: false }, ctx, {
      syncTree: async (dir) => {
        const copied = await exists(join(dir, 'notes/a.txt'));
        await pause(); // an un-awaited flush would let the restore resolve meanwhile
        syncs.push({ dir, copied, settledAtExit: settled, logsAtExit: [...ctx.logs] });
      },
    });
    void run.then(() => (settled = true));
    expect(await run).toMatchObject({ verified: true });
    expect(syncs).toHaveLength(1);
    expect(syncs[0]).toMatchObject({ dir: target, copied: true, settledAtExit: false });
    expect(syncs[0]!.logsAtExit.join('\n')).not.toContain('Restored and verified');
  });

  it('a failed flush is RESTORE_FAILED', async () => {
    const err = await runRestore(
      { backupDir: backup, target: join(root, 'restored-fail'), includeLoop: false },
      context(),
      {
        syncTree: async () => {
          throw new Error('EIO: i/o error, syncfs');
        },
      },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RESTORE_FAILED', detail: expect.stringContaining('EIO') });
  });
});
