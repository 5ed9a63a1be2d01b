import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, writeFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../helpers/backup-test-kit';
import { quietContext } from '../../src/main/core/jobs/context';
import { runBackup } from '../../src/main/core/backup/backup';
import { runRestore } from '../../src/main/core/backup/restore';
import { listBackups } from '../../src/main/core/backup/list';
import { MANIFEST_NAME } from '../../src/main/core/backup/manifest';

// Destinations without room, on real small filesystems (tmpfs of a few MiB). The FAT/exFAT refusal is unit-tested:
// this kernel has neither filesystem, so it cannot be mounted here.

const MiB = 1024 * 1024;
let work: string;
const mounts: string[] = [];

async function tmpfs(sizeMiB: number): Promise<string> {
  const dir = await mkdtemp(join(work, 'tmpfs-'));
  await execa('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Incompressible, non-zero data (rsync --sparse must not turn it into holes). */
async function fill(path: string, bytes: number): Promise<void> {
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i + 4 <= bytes; i += 4) buf.writeUInt32LE((i * 2654435761 + 12345) >>> 0, i);
  await writeFile(path, buf);
}

// racyWindowMs: 0 - these trees are written seconds before they are backed up, and every file changed less than
// 3 s before its read is recorded to be read again next time (file-index.ts RACY_WINDOW_MS, tested on its own in
// backup-link-plan.test.ts); here the inheritance itself is under test.

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-backup-space-'));
});

afterAll(async () => {
  for (const m of mounts.reverse()) await execa('umount', [m], { reject: false });
  await rm(work, { recursive: true, force: true });
});

describe('room on the destination', () => {
  it('refuses before starting when the destination is too small: BACKUP_NO_SPACE, nothing written', async () => {
    const src = join(work, 'src-5m');
    await mkdir(src);
    await fill(join(src, 'data.bin'), 5 * MiB);
    const dest = await tmpfs(2);
    const err = await failure(runBackup({ source: src, destRoot: dest, includeLoop: false }, quietContext()));
    expect(err.code).toBe('BACKUP_NO_SPACE');
    expect(err.detail).toContain(dest);
    expect(err.detail).toMatch(/needs 5\.\d MiB, only 2\.0 MiB free/);
    expect(await readdir(dest)).toEqual([]);
  });

  it('fails with BACKUP_FAILED when the disk fills mid-copy, leaves a marked folder and no backup', async () => {
    const src = join(work, 'src-6m');
    await mkdir(src);
    for (let i = 0; i < 6; i++) await fill(join(src, `part-${i}.bin`), MiB);
    const dest = await tmpfs(3);
    const err = await failure(
      runBackup({ source: src, destRoot: dest, includeLoop: false }, quietContext(), {
        skipSpaceCheck: true,
      }),
    );
    expect(err.code).toBe('BACKUP_FAILED');
    expect(err.detail).toMatch(/ran out of space \(No space left on device\)/);
    // What it left is said plainly: where, how much room it takes, and that it is the user's to delete.
    expect(err.detail).toMatch(
      /the unfinished copy is left in \S+\.incomplete \(\d+(\.\d)? [KMG]iB\): delete it to free the space/,
    );
    const left = await readdir(dest);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^kintsugi-backup-.*\.incomplete$/);
    expect(err.detail).toContain(left[0]);
    await expect(lstat(join(dest, left[0]!, MANIFEST_NAME))).rejects.toThrow();
    expect(await listBackups(dest)).toEqual([]); // nothing to unlock flashing with
  });

  it('counts only changed files for an incremental backup (hard links need no room)', async () => {
    const src = join(work, 'src-incr');
    await mkdir(src);
    for (let i = 0; i < 4; i++) await fill(join(src, `part-${i}.bin`), MiB);
    const dest = await tmpfs(6);
    const first = await runBackup({ source: src, destRoot: dest, includeLoop: false }, quietContext(), {
      now: () => new Date('2026-01-01T00:00:00Z'),
      racyWindowMs: 0,
    });
    // 4 MiB used of 6: a full second copy would not fit, an incremental one does.
    await writeFile(join(src, 'part-0.bin'), 'small now');
    const second = await runBackup({ source: src, destRoot: dest, includeLoop: false }, quietContext(), {
      now: () => new Date('2026-01-01T01:00:00Z'),
      racyWindowMs: 0,
    });
    expect(second.linkDest).toBe(first.id);
    expect((await listBackups(dest)).map((b) => b.manifest.id)).toEqual([second.id, first.id]);

    // A change that does not fit even incrementally: refused after the plan linked the unchanged files, and the
    // folder it made (folders and hard links only) is removed with its scratch files: nothing is left.
    await fill(join(src, 'part-2.bin'), 3 * MiB);
    const tooBig = await failure(
      runBackup({ source: src, destRoot: dest, includeLoop: false }, quietContext(), {
        now: () => new Date('2026-01-01T02:00:00Z'),
        racyWindowMs: 0,
      }),
    );
    expect(tooBig.code).toBe('BACKUP_NO_SPACE');
    expect(tooBig.detail).toMatch(/needs 3\.\d MiB, only \d\.\d MiB free/);
    expect((await readdir(dest)).sort()).toEqual([first.id, second.id].sort());
    await fill(join(src, 'part-2.bin'), MiB); // back to a size that fits, for what follows

    // The same change into a folder with no previous backup is a full copy: on what is left of the tmpfs, refused.
    await writeFile(join(src, 'part-1.bin'), 'changed too');
    const other = join(dest, 'elsewhere');
    await mkdir(other);
    await fill(join(other, 'ballast.bin'), MiB);
    const err = await failure(
      runBackup({ source: src, destRoot: other, includeLoop: false }, quietContext()),
    );
    expect(err.code).toBe('BACKUP_NO_SPACE');
  });
});

describe('room on the restore target', () => {
  it('refuses before copying when the target is too small: RESTORE_FAILED, target untouched', async () => {
    const src = join(work, 'src-restore');
    await mkdir(src);
    await fill(join(src, 'data.bin'), 4 * MiB);
    const backup = await runBackup(
      { source: src, destRoot: await tmpfs(8), includeLoop: false },
      quietContext(),
    );
    const target = await tmpfs(2);
    const err = await failure(
      runRestore({ backupDir: backup.path, target, includeLoop: false }, quietContext()),
    );
    expect(err.code).toBe('RESTORE_FAILED');
    expect(err.detail).toMatch(/needs 4\.\d MiB, only 2\.0 MiB free/);
    expect(await readdir(target)).toEqual([]);
  });

  it('refuses a missing device target instead of creating a directory for it', async () => {
    const src = join(work, 'src-restore');
    const backup = await runBackup(
      { source: src, destRoot: await tmpfs(8), includeLoop: false },
      quietContext(),
    );
    const err = await failure(
      runRestore(
        { backupDir: backup.path, target: '/dev/kintsugi-no-such-disk', includeLoop: false },
        quietContext(),
      ),
    );
    expect(err.code).toBe('DRIVE_NOT_FOUND');
    await expect(lstat('/dev/kintsugi-no-such-disk')).rejects.toThrow();
  });
});
