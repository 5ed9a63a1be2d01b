import { execa } from 'execa';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { Progress } from '../../src/shared/progress';
import type { JobContext } from '../../src/main/core/jobs/context';
import { runBackup, INCOMPLETE_SUFFIX } from '../../src/main/core/backup/backup';
import { runRestore } from '../../src/main/core/backup/restore';
import { listBackups } from '../../src/main/core/backup/list';
import { INDEX_NAME, MANIFEST_NAME, readManifest, writeManifest } from '../../src/main/core/backup/manifest';
import { compareTrees } from '../../src/main/core/backup/verify-copy';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import { populatePersistence, type FixtureFiles } from '../helpers/populate-persistence';

// Real rsync as root on a tree with every awkward case (hard links, dangling symlinks, xattrs, ACLs,
// setuid/sticky, foreign owners, newline names, a sparse file): back up, verify, restore, compare.

function recordingContext(signal?: AbortSignal): JobContext & { events: Progress[]; logs: string[] } {
  const events: Progress[] = [];
  const logs: string[] = [];
  return {
    signal: signal ?? new AbortController().signal,
    progress: (p) => events.push(p),
    log: (m) => logs.push(m),
    events,
    logs,
  };
}

async function expectCode(p: Promise<unknown>, code: string, detail?: RegExp): Promise<KintsugiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KintsugiError);
  expect((err as KintsugiError).code).toBe(code);
  if (detail) expect((err as KintsugiError).detail).toMatch(detail);
  return err as KintsugiError;
}

let work: string;
let src: string;
let destRoot: string;
let files: FixtureFiles;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-backup-it-'));
  src = join(work, 'source');
  destRoot = join(work, 'backups');
  await mkdir(src);
  await mkdir(destRoot);
  ({ files } = await populatePersistence(src));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('backup and restore of a tricky tree', () => {
  let first: Awaited<ReturnType<typeof runBackup>>;

  it('backs up, verifies and writes a manifest; the copy equals the source', async () => {
    const ctx = recordingContext();
    first = await runBackup({ source: src, destRoot, includeLoop: false }, ctx, {
      now: () => new Date('2026-11-23T11:30:00.000Z'),
    });

    expect(first.path).toBe(join(destRoot, 'kintsugi-backup-2026-11-23T11-30-00Z'));
    expect(first.verified).toBe(true);
    expect(first.linkDest).toBeUndefined();
    expect(first.tools.rsync).toMatch(/^\d+\.\d+/);
    expect(first.files).toBeGreaterThan(25);
    expect(first.bytes).toBeGreaterThan(9 * 1024 * 1024); // 1.25 MiB random + the 8 MiB sparse file (apparent)
    const { path: _path, ...manifest } = first;
    expect(await readManifest(first.path)).toEqual(manifest);
    expect(await readdir(destRoot)).toEqual(['kintsugi-backup-2026-11-23T11-30-00Z']);

    const diff = diffTrees(
      await describeTree(src, { mtime: true }),
      await describeTree(first.path, { mtime: true, exclude: [MANIFEST_NAME, INDEX_NAME] }),
    );
    expect(diff).toEqual([]);

    // The sparse file stays sparse.
    const sparse = await stat(join(first.path, files.sparseFile));
    expect(sparse.size).toBe(8 * 1024 * 1024);
    expect(sparse.blocks * 512).toBeLessThan(256 * 1024);

    const kinds = new Set(ctx.events.map((e) => (e.kind === 'backup' ? e.phase : 'other')));
    expect(kinds).toEqual(new Set(['copy', 'verify']));
    const last = ctx.events.at(-1)!;
    expect(last).toMatchObject({ kind: 'backup', phase: 'verify', bytes: first.bytes });
  });

  it('lists the backup', async () => {
    const list = await listBackups(destRoot);
    expect(list.map((b) => b.path)).toEqual([first.path]);
    expect(list[0]!.manifest.verified).toBe(true);
  });

  it('restores into an empty directory: the trees are equal, sparse file included', async () => {
    const target = join(work, 'restored');
    const ctx = recordingContext();
    const r = await runRestore({ backupDir: first.path, target, includeLoop: false }, ctx);
    expect(r).toMatchObject({ backupDir: first.path, target, verified: true, files: first.files });
    const diff = diffTrees(
      await describeTree(src, { mtime: true }),
      await describeTree(target, { mtime: true }),
    );
    expect(diff).toEqual([]);
    await expect(lstat(join(target, MANIFEST_NAME))).rejects.toThrow();
    const sparse = await stat(join(target, files.sparseFile));
    expect(sparse.blocks * 512).toBeLessThan(256 * 1024);
    expect(ctx.events.some((e) => e.kind === 'backup' && e.phase === 'verify')).toBe(true);
  });

  it('makes the second backup incremental: unchanged files are hard links to the first', async () => {
    await writeFile(join(src, 'random/small.txt'), 'changed after the first backup\n');
    const second = await runBackup({ source: src, destRoot, includeLoop: false }, recordingContext(), {
      now: () => new Date('2026-11-23T12:00:00.000Z'),
    });
    expect(second.linkDest).toBe('kintsugi-backup-2026-11-23T11-30-00Z');
    const unchanged = 'random/blob-1m.bin';
    expect((await stat(join(second.path, unchanged))).ino).toBe(
      (await stat(join(first.path, unchanged))).ino,
    );
    expect((await stat(join(second.path, 'random/small.txt'))).ino).not.toBe(
      (await stat(join(first.path, 'random/small.txt'))).ino,
    );
    expect(await readFile(join(second.path, 'random/small.txt'), 'utf8')).toBe(
      'changed after the first backup\n',
    );
    // The first backup is untouched by the second.
    expect(await readFile(join(first.path, 'random/small.txt'), 'utf8')).not.toBe(
      'changed after the first backup\n',
    );
    // The hard-link group inside the backup is still one inode.
    const [a, b] = await Promise.all(files.hardLinks.slice(0, 2).map((f) => stat(join(second.path, f))));
    expect(a!.ino).toBe(b!.ino);
    expect(
      diffTrees(
        await describeTree(src),
        await describeTree(second.path, { exclude: [MANIFEST_NAME, INDEX_NAME] }),
      ),
    ).toEqual([]);

    const list = await listBackups(destRoot);
    expect(list.map((x) => x.manifest.id)).toEqual([second.id, first.id]);
  });

  it('verification catches a change made to the copy afterwards', async () => {
    const [latest] = await listBackups(destRoot);
    const path = latest!.path;
    const opts = { extraIsDifference: true, exclude: [`/${MANIFEST_NAME}`, `/${INDEX_NAME}`] };
    expect((await compareTrees(src, path, opts)).equal).toBe(true);

    // Same size and mtime, different content: only a checksum comparison sees it.
    const victim = join(path, files.spaceName);
    // touch -r keeps the nanoseconds (utimes through a Date would not, and rsync would then itemize a time change).
    const reference = join(work, 'space-mtime');
    await execa('touch', ['-r', victim, reference]);
    await writeFile(victim, 'SPACE\n');
    await execa('touch', ['-r', reference, victim]);
    await execa('setfattr', ['-n', 'user.kintsugi.note', '-v', 'tampered', join(path, files.xattrFile)]);
    await writeFile(join(path, 'stray-file'), 'x');
    const cmp = await compareTrees(src, path, opts);
    expect(cmp.equal).toBe(false);
    expect(cmp.differences.join('\n')).toContain('>fc........ names/with space.txt');
    expect(cmp.differences.join('\n')).toMatch(/\.f\.{8}x attrs\/xattr\.txt/);
    expect(cmp.differences.join('\n')).toContain('*deleting   stray-file');
  });
});

describe('a copy that does not match', () => {
  it('fails with BACKUP_VERIFY_FAILED naming the file, writes no manifest, keeps flashing locked', async () => {
    const dest = join(work, 'verify-dest');
    await mkdir(dest);
    const err = await expectCode(
      runBackup({ source: src, destRoot: dest, includeLoop: false }, recordingContext(), {
        afterCopy: async (dir) => {
          // Same size and mtime: only the checksum comparison can notice.
          const victim = join(dir, files.randomFiles[2]!);
          const reference = join(work, 'small-mtime');
          await execa('touch', ['-r', victim, reference]);
          const text = await readFile(victim, 'utf8');
          await writeFile(victim, text.toUpperCase());
          await execa('touch', ['-r', reference, victim]);
        },
      }),
      'BACKUP_VERIFY_FAILED',
      /1 file\(s\) differ from the source, first: random\/small\.txt \(content differs\)/,
    );
    const left = await readdir(dest);
    expect(left).toHaveLength(1);
    expect(err.detail).toContain(left[0]);
    expect(left[0]).toMatch(/\.incomplete$/);
    await expect(lstat(join(dest, left[0]!, MANIFEST_NAME))).rejects.toThrow();
    expect(await listBackups(dest)).toEqual([]);
  });
});

describe('refusals', () => {
  it('refuses to restore a folder without a verified manifest, and leaves the target alone', async () => {
    const target = join(work, 'untouched');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'keep');
    const notBackup = join(work, 'not-a-backup');
    await mkdir(notBackup);
    await writeFile(join(notBackup, 'file'), 'x');
    await expectCode(
      runRestore({ backupDir: notBackup, target, includeLoop: false }, recordingContext()),
      'BACKUP_NOT_FOUND',
      /not-a-backup/,
    );

    // The folder of backups given instead of one backup: the error names the newest verified one.
    const [latest] = await listBackups(destRoot);
    await expectCode(
      runRestore({ backupDir: destRoot, target, includeLoop: false }, recordingContext()),
      'BACKUP_NOT_FOUND',
      new RegExp(`folder of backups.*${latest!.path}`),
    );

    // A manifest copied into an unfinished folder does not make it a backup.
    const fake = join(destRoot, latest!.manifest.id + INCOMPLETE_SUFFIX);
    await mkdir(fake);
    await writeFile(join(fake, MANIFEST_NAME), await readFile(join(latest!.path, MANIFEST_NAME)));
    await expectCode(
      runRestore({ backupDir: fake, target, includeLoop: false }, recordingContext()),
      'BACKUP_NOT_FOUND',
      /unfinished/,
    );

    const unverified = join(work, 'unverified');
    await mkdir(unverified);
    const m = { ...latest!.manifest, id: 'unverified', verified: false };
    await writeManifest(unverified, m);
    await expectCode(
      runRestore({ backupDir: unverified, target, includeLoop: false }, recordingContext()),
      'BACKUP_NOT_FOUND',
      /never verified/,
    );
    expect(await readdir(target)).toEqual(['keep.txt']);
    await rm(fake, { recursive: true });
  });

  it('refuses a destination inside the source, a missing source and a missing destination', async () => {
    const inside = join(src, 'backups-here');
    await mkdir(inside);
    try {
      await expectCode(
        runBackup({ source: src, destRoot: inside, includeLoop: false }, recordingContext()),
        'INVALID_ARGUMENT',
        /inside the source/,
      );
      expect(await readdir(inside)).toEqual([]);
    } finally {
      await rm(inside, { recursive: true });
    }
    await expectCode(
      runBackup({ source: join(work, 'nope'), destRoot, includeLoop: false }, recordingContext()),
      'INVALID_ARGUMENT',
      /nope does not exist/,
    );
    await expectCode(
      runBackup({ source: src, destRoot: join(work, 'nowhere'), includeLoop: false }, recordingContext()),
      'INVALID_ARGUMENT',
      /nowhere does not exist/,
    );
  });
});

describe('cancel', () => {
  it('stops rsync when the signal fires and leaves an unfinished folder that never lists', async () => {
    const big = join(work, 'big');
    const dest = join(work, 'cancel-dest');
    await mkdir(big);
    await mkdir(dest);
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < chunk.length; i += 4096) chunk.writeUInt32LE((i * 2654435761) >>> 0, i); // not sparse, not zero
    for (let i = 0; i < 100; i++) await writeFile(join(big, `f${i}`), chunk);
    const ac = new AbortController();
    const ctx = recordingContext(ac.signal);
    const origProgress = ctx.progress;
    ctx.progress = (p) => {
      origProgress(p);
      if (p.kind === 'backup' && p.phase === 'copy' && (p.bytes ?? 0) > 0) ac.abort();
    };
    const t0 = performance.now();
    await expectCode(
      runBackup({ source: big, destRoot: dest, includeLoop: false }, ctx),
      'CANCELLED',
      /incomplete/,
    );
    expect(performance.now() - t0).toBeLessThan(20_000);
    const left = await readdir(dest);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/\.incomplete$/);
    expect(await listBackups(dest)).toEqual([]);
    // rsync is really gone: nothing keeps writing into the unfinished folder.
    const size = async () => {
      let total = 0;
      for (const f of await readdir(join(dest, left[0]!)))
        total += (await lstat(join(dest, left[0]!, f))).size;
      return total;
    };
    const s1 = await size();
    await new Promise((r) => setTimeout(r, 700));
    expect(await size()).toBe(s1);
    expect(s1).toBeLessThan(400 * 1024 * 1024);
    await rm(big, { recursive: true });
  });
});

describe('sparse files', () => {
  it('a tree without holes is copied as it is: a file of zeros that was written out stays allocated', async () => {
    // --sparse is used only for a tree with a file with holes (the tricky tree's sparse file stays sparse
    // above); without one, rsync would also punch holes into a dense file of zeros.
    const dense = join(work, 'dense');
    await mkdir(dense);
    await writeFile(join(dense, 'zeros.bin'), Buffer.alloc(1024 * 1024));
    expect((await stat(join(dense, 'zeros.bin'))).blocks * 512).toBeGreaterThanOrEqual(1024 * 1024);
    const dest = join(work, 'dense-backups');
    await mkdir(dest);
    const made = await runBackup({ source: dense, destRoot: dest, includeLoop: false }, recordingContext());
    expect((await stat(join(made.path, 'zeros.bin'))).blocks * 512).toBeGreaterThanOrEqual(1024 * 1024);
    const target = join(work, 'dense-restored');
    await runRestore({ backupDir: made.path, target, includeLoop: false }, recordingContext());
    expect((await stat(join(target, 'zeros.bin'))).blocks * 512).toBeGreaterThanOrEqual(1024 * 1024);
  });
});
