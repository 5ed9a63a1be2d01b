import { execa } from 'execa';
import { createHash } from 'node:crypto';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  truncate,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../src/shared/model';
import type { Progress, ProgressOf } from '../../src/shared/progress';
import { failure, loggingContext } from '../helpers/backup-test-kit';
import { runBackup } from '../../src/main/core/backup/backup';
import { runRestore } from '../../src/main/core/backup/restore';
import { checkBackup } from '../../src/main/core/backup/check';
import { readIndex } from '../../src/main/core/backup/file-index';
import { latestVerifiedBackup, listBackups, unreadableBackups } from '../../src/main/core/backup/list';
import { INDEX_NAME, MANIFEST_NAME, readManifest } from '../../src/main/core/backup/manifest';
import { LOCK_NAME } from '../../src/main/core/backup/lock';
import { populatePersistence, type FixtureFiles } from '../helpers/populate-persistence';

// Per-file checksums with real rsync on the tricky fixture tree (hard links, sparse file, xattrs, ACLs): what an
// incremental backup reads, what it inherits, and that damage done to a backup after it was made is named.

const ctx = loggingContext;
const codeOf = failure;

async function entries(backupPath: string) {
  const out = new Map<string, { how: string; sha256: string }>();
  for await (const e of readIndex(join(backupPath, INDEX_NAME))) out.set(e.path, e);
  return out;
}

let work: string;
let src: string;
let files: FixtureFiles;
let at = Date.parse('2026-11-23T10:00:00Z');
const next_ = () => new Date((at += 60_000));

// racyWindowMs: 0 - these trees are written seconds before they are backed up, and every file changed less than
// 3 s before its read is recorded to be read again next time (file-index.ts RACY_WINDOW_MS, tested on its own in
// backup-link-plan.test.ts); here the inheritance itself is under test.

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-checksums-it-'));
  src = join(work, 'source');
  await mkdir(src);
  ({ files } = await populatePersistence(src));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('incremental verify', () => {
  const dest = () => join(work, 'incremental');

  it('a first backup reads every file; after one file changed, the next reads that one and inherits the rest', async () => {
    await mkdir(dest());
    const first = await runBackup({ source: src, destRoot: dest(), includeLoop: false }, ctx(), {
      now: next_,
      racyWindowMs: 0,
    });
    expect(first.formatVersion).toBe(3);
    expect(first.verify).toMatchObject({ mode: 'full', inheritedFiles: 0, sinceFull: 0 });
    expect(first.verify!.hashedFiles).toBe(first.index!.entries);
    expect(first.index!.entries).toBeGreaterThan(10);

    await writeFile(join(src, files.randomFiles[0]!), 'a new content, of another size\n');
    const c = ctx();
    const second = await runBackup({ source: src, destRoot: dest(), includeLoop: false }, c, {
      now: next_,
      racyWindowMs: 0,
    });
    expect(second.linkDest).toBe(first.id);
    expect(second.verify).toMatchObject({ mode: 'incremental', hashedFiles: 1, sinceFull: 1 });
    expect(second.verify!.inheritedFiles).toBe(second.index!.entries - 1);
    expect(c.logs.join('\n')).toMatch(/Incremental verify: 1 file\(s\) read and checked/);
    const idx = await entries(second.path);
    expect(idx.get(files.randomFiles[0]!)?.how).toBe('hashed');
    expect(idx.get(files.randomFiles[1]!)?.how).toBe('inherited');
    expect(second.verify!.linkedBytes).toBeGreaterThan(second.verify!.newBytes);
  });

  it('a file rewritten with its old mtime (touch -r) is caught by its ctime and copied again', async () => {
    const victim = join(src, files.randomFiles[1]!);
    // touch -r keeps the nanoseconds (utimes through a Date would not): size and mtime are exactly as recorded.
    const reference = join(work, 'mtime-reference');
    await execa('touch', ['-r', victim, reference]);
    const before = await stat(victim, { bigint: true });
    const text = await readFile(victim);
    text[0] = text[0]! ^ 0xff; // same size
    await writeFile(victim, text);
    await execa('touch', ['-r', reference, victim]);
    const after = await stat(victim, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    expect(after.ctimeNs).not.toBe(before.ctimeNs);
    const prev = (await latestVerifiedBackup(dest()))!;
    const c = ctx();
    const third = await runBackup({ source: src, destRoot: dest(), includeLoop: false }, c, {
      now: next_,
      racyWindowMs: 0,
    });
    expect(third.verify).toMatchObject({ mode: 'incremental', hashedFiles: 1 });
    expect(c.logs.join('\n')).toMatch(/their ctime did\): copying them again/);
    // (Buffer.equals: a deep toEqual of 1 MiB buffers costs seconds)
    expect((await readFile(join(third.path, files.randomFiles[1]!))).equals(text)).toBe(true);
    // The previous backup keeps the bytes it verified: the stale link was replaced, not written through.
    expect((await readFile(join(prev.path, files.randomFiles[1]!))).equals(text)).toBe(false);
    expect((await checkBackup(prev.path)).ok).toBe(true);
  });

  it('--full-verify reads everything again', async () => {
    const full = await runBackup(
      { source: src, destRoot: dest(), includeLoop: false, fullVerify: true },
      ctx(),
      {
        now: next_,
        racyWindowMs: 0,
      },
    );
    expect(full.verify).toMatchObject({ mode: 'full', inheritedFiles: 0, sinceFull: 0 });
    expect(full.verify!.hashedFiles).toBe(full.index!.entries);
  });

  it('a backup from an older version (no per-file checksums) is read, and the next backup verifies fully once', async () => {
    const latest = (await latestVerifiedBackup(dest()))!;
    const { index: _i, verify: _v, ...v1 } = latest.manifest;
    await writeFile(join(latest.path, MANIFEST_NAME), JSON.stringify({ ...v1, formatVersion: 1 }));
    await unlink(join(latest.path, INDEX_NAME));
    expect((await latestVerifiedBackup(dest()))?.path).toBe(latest.path);
    const err = await codeOf(checkBackup(latest.path));
    expect(err.detail ?? err.message).toMatch(/older version and records no per-file checksums/);
    const c = ctx();
    const after = await runBackup({ source: src, destRoot: dest(), includeLoop: false }, c, {
      now: next_,
      racyWindowMs: 0,
    });
    expect(after.linkDest).toBe(latest.manifest.id);
    expect(after.verify!.mode).toBe('full');
    expect(c.logs.join('\n')).toMatch(/older version made it\): every file is verified this once/);
  });
});

describe('a backup from the previous format (2: the head does not bind its file list)', () => {
  it('is read, listed and checked, and the next backup verifies fully once', async () => {
    const dest = join(work, 'format-2');
    await mkdir(dest);
    const made = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next_,
      racyWindowMs: 0,
    });
    const { headSha256: _h, ...v2 } = made;
    const { path: _p, ...fields } = v2;
    await writeFile(join(made.path, MANIFEST_NAME), JSON.stringify({ ...fields, formatVersion: 2 }));
    expect((await latestVerifiedBackup(dest))?.manifest.formatVersion).toBe(2);
    expect((await checkBackup(made.path)).ok).toBe(true);
    const c = ctx();
    const after = await runBackup({ source: src, destRoot: dest, includeLoop: false }, c, {
      now: next_,
      racyWindowMs: 0,
    });
    expect(after.linkDest).toBe(made.id);
    expect(after.verify).toMatchObject({ mode: 'full', inheritedFiles: 0, sinceFull: 0 });
    expect(c.logs.join('\n')).toMatch(
      /does not bind its per-file checksums .* every file is verified this once/,
    );
    const again = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next_,
      racyWindowMs: 0,
    });
    expect(again.verify).toMatchObject({ mode: 'incremental', hashedFiles: 0, sinceFull: 1 });
  });
});

describe('an incremental verify (rsync compares only what the previous backup does not prove)', () => {
  // A source of its own: the files changed here must not count in the other tests' incremental backups.
  const dest = () => join(work, 'incremental-sees');
  const own = () => join(work, 'incremental-sees-source');
  let tree: FixtureFiles;
  beforeAll(async () => {
    await mkdir(dest());
    await mkdir(own());
    ({ files: tree } = await populatePersistence(own()));
    await runBackup({ source: own(), destRoot: dest(), includeLoop: false }, ctx(), {
      now: next_,
      racyWindowMs: 0,
    });
  });

  async function failsWith(afterCopy: (copy: string) => Promise<void>, detail: RegExp): Promise<void> {
    const err = await codeOf(
      runBackup({ source: own(), destRoot: dest(), includeLoop: false }, ctx(), {
        now: next_,
        racyWindowMs: 0,
        afterCopy,
      }),
    );
    expect(err.code).toBe('BACKUP_VERIFY_FAILED');
    expect(err.detail).toMatch(detail);
  }

  it('an entry only in the copy, or missing from it, whatever its type', async () => {
    await failsWith((copy) => writeFile(join(copy, 'stray.txt'), 'x'), /stray\.txt: only in the copy/);
    await failsWith((copy) => mkdir(join(copy, 'stray-dir')), /stray-dir: only in the copy/);
    const link = tree.symlinks[0]!;
    await failsWith((copy) => unlink(join(copy, link)), new RegExp(`${link}: missing from the copy`));
  });

  it('a folder and a file read now with other attributes; a previous copy whose mode changed is not linked', async () => {
    await failsWith(
      (copy) => chmod(join(copy, 'owners/dir'), 0o700), // nested: the root's own entries come with "."
      /\.d\S* owners\/dir/,
    );
    // A file changed in the source is read (not inherited) and rsync still compares its attributes.
    const changed = tree.randomFiles[0]!;
    await writeFile(join(own(), changed), 'changed for this test\n');
    await failsWith((copy) => chmod(join(copy, changed), 0o600), new RegExp(`\\.f\\S* ${changed}`));
    // An unchanged file whose copy in the previous backup no longer shows the source's mode is not linked (a
    // link would carry that mode): the plan sees its namesake differ, rsync copies it anew, the verify reads it.
    const prev = (await latestVerifiedBackup(dest()))!;
    const unchanged = tree.randomFiles[1]!;
    const mode = (await stat(join(prev.path, unchanged))).mode & 0o7777;
    await chmod(join(prev.path, unchanged), mode ^ 0o044);
    try {
      const ok = await runBackup({ source: own(), destRoot: dest(), includeLoop: false }, ctx(), {
        now: next_,
        racyWindowMs: 0,
      });
      expect(ok.verify).toMatchObject({ mode: 'incremental', hashedFiles: 2 });
      const [copied, before] = await Promise.all([
        stat(join(ok.path, unchanged)),
        stat(join(prev.path, unchanged)),
      ]);
      expect(copied.mode & 0o7777).toBe(mode);
      expect(copied.ino).not.toBe(before.ino);
    } finally {
      await chmod(join(prev.path, unchanged), mode);
    }
  });
});

describe('a previous backup whose file was replaced', () => {
  it('a file rsync copied anew (not a link to the previous backup) is read, even with its source unchanged', async () => {
    const dest = join(work, 'incremental');
    const prev = (await latestVerifiedBackup(dest))!;
    const victim = join(prev.path, files.randomFiles[2]!);
    const original = await readFile(victim);
    await unlink(victim); // a new inode in the previous backup: rsync no longer links it, it copies the source
    await writeFile(victim, original.subarray(1));
    const next = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next_,
      racyWindowMs: 0,
    });
    expect(next.verify).toMatchObject({ mode: 'incremental', hashedFiles: 1 });
    expect((await entries(next.path)).get(files.randomFiles[2]!)?.how).toBe('hashed');
    expect((await checkBackup(next.path)).ok).toBe(true);
    expect((await checkBackup(prev.path)).problems.join()).toMatch(/truncated/);
  });
});

describe('damage done to a backup after it was made', () => {
  const dest = () => join(work, 'damage');
  let backup: string;
  const name = () => files.randomFiles[2]!;
  let original: Buffer;
  let originalStat: Awaited<ReturnType<typeof stat>>;

  beforeAll(async () => {
    await mkdir(dest());
    backup = (
      await runBackup({ source: src, destRoot: dest(), includeLoop: false }, ctx(), {
        now: next_,
        racyWindowMs: 0,
      })
    ).path;
    original = await readFile(join(backup, name()));
    originalStat = await stat(join(backup, name()));
    expect((await checkBackup(backup)).ok).toBe(true);
  });

  async function expectNamed(what: RegExp): Promise<void> {
    const target = await mkdtemp(join(work, 'restore-'));
    const restoreErr = await codeOf(runRestore({ backupDir: backup, target, includeLoop: false }, ctx()));
    expect(restoreErr.code).toBe('BACKUP_VERIFY_FAILED');
    expect(restoreErr.detail ?? restoreErr.message).toContain(name());
    const check = await checkBackup(backup);
    expect(check).toMatchObject({ ok: false, recorded: true });
    expect(check.problems.join('\n')).toMatch(what);
    expect(check.problems.join('\n')).toContain(name());
    // A failed check makes the backup unusable until a check passes again.
    expect(await latestVerifiedBackup(dest())).toBeUndefined();
    const refused = await codeOf(runRestore({ backupDir: backup, target, includeLoop: false }, ctx()));
    expect(refused.detail ?? refused.message).toMatch(/failed its last check/);
  }

  async function repair(): Promise<void> {
    const p = join(backup, name());
    await writeFile(p, original);
    await utimes(p, originalStat.atime, originalStat.mtime);
    expect((await checkBackup(backup)).ok).toBe(true);
    expect((await latestVerifiedBackup(dest()))?.path).toBe(backup);
  }

  it('one byte flipped: check and restore name the file', async () => {
    const p = join(backup, name());
    const st = await stat(p);
    const bad = Buffer.from(original);
    bad[bad.length >> 1] = bad[bad.length >> 1]! ^ 1;
    await writeFile(p, bad);
    await utimes(p, st.atime, st.mtime);
    await expectNamed(/content differs/);
    await repair();
  });

  it('one file truncated', async () => {
    await truncate(join(backup, name()), 3);
    await expectNamed(/truncated/);
    await repair();
  });

  it('one file missing', async () => {
    await unlink(join(backup, name()));
    await expectNamed(/missing/);
    await repair();
  });

  it('a manifest whose file list was edited (a checksum changed) is detected', async () => {
    const p = join(backup, INDEX_NAME);
    const text = await readFile(p, 'utf8');
    const line = text.split('\n').find((l) => l.includes(`"path":${JSON.stringify(name())}`))!;
    const forged = line.replace(
      /"sha256":"([0-9a-f])/,
      (_m, c: string) => `"sha256":"${c === '0' ? '1' : '0'}`,
    );
    await writeFile(p, text.replace(line, forged));
    const check = await checkBackup(backup);
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toMatch(/changed after the backup was made/);
    await writeFile(p, text);
    expect((await checkBackup(backup)).ok).toBe(true);
  });

  it('a manifest whose head and file list were edited together (data, its line and the recorded sha256) is detected', async () => {
    // The forgery a naive edit makes: the file's bytes changed, its index line given their sha256, and the
    // head given the new list's sha256 and length. Without the head's own checksum nothing would disagree.
    const file = join(backup, name());
    const st = await stat(file);
    const forgedData = Buffer.from(original);
    forgedData[0] = forgedData[0]! ^ 1;
    await writeFile(file, forgedData);
    await utimes(file, st.atime, st.mtime);
    const indexPath = join(backup, INDEX_NAME);
    const indexText = await readFile(indexPath, 'utf8');
    const line = indexText.split('\n').find((l) => l.includes(`"path":${JSON.stringify(name())}`))!;
    const sha = createHash('sha256').update(forgedData).digest('hex');
    const forgedIndex = indexText.replace(line, line.replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${sha}"`));
    await writeFile(indexPath, forgedIndex);
    const headPath = join(backup, MANIFEST_NAME);
    const headText = await readFile(headPath, 'utf8');
    const head = JSON.parse(headText) as BackupManifest;
    head.index = {
      ...head.index!,
      sha256: createHash('sha256').update(forgedIndex).digest('hex'),
      bytes: Buffer.byteLength(forgedIndex),
    };
    await writeFile(headPath, `${JSON.stringify(head, null, 2)}\n`);

    const reason =
      /kintsugi-backup\.json was changed after the backup was made \(its own checksum does not match\)/;
    expect((await unreadableBackups(dest()))[0]?.reason).toMatch(reason);
    expect(await latestVerifiedBackup(dest())).toBeUndefined();
    const err = await codeOf(checkBackup(backup));
    expect(err.code).toBe('BACKUP_VERIFY_FAILED');
    expect(err.detail).toMatch(reason);
    const refused = await codeOf(
      runRestore({ backupDir: backup, target: join(work, 'never'), includeLoop: false }, ctx()),
    );
    expect(refused.detail).toMatch(reason);

    // A head edited alone (a count, say) is caught the same way; the untouched head reads again.
    await writeFile(
      headPath,
      headText.replace(/"files": (\d+)/, (_m, n: string) => `"files": ${Number(n) + 1}`),
    );
    expect((await unreadableBackups(dest()))[0]?.reason).toMatch(reason);
    await writeFile(headPath, headText);
    await writeFile(indexPath, indexText);
    await writeFile(file, original);
    await utimes(file, originalStat.atime, originalStat.mtime);
    expect((await checkBackup(backup)).ok).toBe(true);
  });

  it('a missing or corrupt manifest: listed as unverified, never used', async () => {
    const m = join(backup, MANIFEST_NAME);
    const text = await readFile(m, 'utf8');
    await writeFile(m, text.slice(0, 40));
    expect(await listBackups(dest())).toEqual([]);
    expect(await unreadableBackups(dest())).toEqual([
      { path: backup, reason: `${MANIFEST_NAME} is not valid JSON` },
    ]);
    await unlink(m);
    expect(await unreadableBackups(dest())).toEqual([{ path: backup, reason: 'its manifest is missing' }]);
    const err = await codeOf(
      runRestore({ backupDir: backup, target: join(work, 'nowhere'), includeLoop: false }, ctx()),
    );
    expect(err.code).toBe('BACKUP_NOT_FOUND');
    await writeFile(m, text);
    expect(await readManifest(backup)).toBeDefined();
  });
});

describe('the verify phase of a backup, a check and a restore', () => {
  it("reports bytes of the backup's bytes and files of its files, rising to the whole, with speed and ETA fields", async () => {
    const dest = join(work, 'progress');
    await mkdir(dest);
    const verifyEvents = (events: Progress[]) =>
      events.filter((e): e is ProgressOf<'backup'> => e.kind === 'backup' && e.phase === 'verify');
    const expectPhase = (events: Progress[], total: number, files: number) => {
      const v = verifyEvents(events);
      expect(v.length).toBeGreaterThanOrEqual(2);
      expect(v[0]).toMatchObject({ bytes: 0, total, items: 0, itemsTotal: files });
      expect(v.at(-1)).toMatchObject({ bytes: total, total, itemsTotal: files });
      expect(v.at(-1)!.items).toBe(files);
      for (const e of v) expect(typeof e.speed).toBe('number');
      const bytes = v.map((e) => e.bytes!);
      expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    };

    const backupEvents: Progress[] = [];
    const made = await runBackup(
      { source: src, destRoot: dest, includeLoop: false },
      { ...ctx(), progress: (p) => backupEvents.push(p) },
      { now: next_, racyWindowMs: 0 },
    );
    expectPhase(backupEvents, made.bytes, made.index!.entries);

    const checkEvents: Progress[] = [];
    await checkBackup(made.path, { progress: (p) => checkEvents.push(p) });
    expectPhase(checkEvents, made.bytes, made.index!.entries);

    const restoreEvents: Progress[] = [];
    await runRestore(
      { backupDir: made.path, target: join(work, 'progress-restored'), includeLoop: false },
      { ...ctx(), progress: (p) => restoreEvents.push(p) },
    );
    expectPhase(restoreEvents, made.bytes, made.index!.entries);
  });
});

describe('a backup folder being written by another run', () => {
  it('refuses while the lock holder lives; takes over a stale lock', async () => {
    const dest = join(work, 'locked');
    await mkdir(dest);
    const sleeper = execa('sleep', ['30']);
    try {
      await writeFile(
        join(dest, LOCK_NAME),
        JSON.stringify({ pid: sleeper.pid, id: 'kintsugi-backup-x', startedAt: 'now' }),
      );
      const err = await codeOf(
        runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
          now: next_,
          racyWindowMs: 0,
        }),
      );
      expect(err.detail ?? err.message).toContain(`pid ${sleeper.pid}`);
      expect(await readdir(dest)).toEqual([LOCK_NAME]);
    } finally {
      sleeper.kill();
      await sleeper.catch(() => {});
    }
    const made = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next_,
      racyWindowMs: 0,
    });
    expect(made.verified).toBe(true);
    expect((await readdir(dest)).sort()).toEqual([made.id]);
  });
});

describe('a destination that fills up while the manifest is written', () => {
  it('leaves no manifest, says what was left, and nothing lists', async () => {
    const many = join(work, 'many-small');
    await mkdir(many);
    for (let i = 0; i < 1500; i++) await writeFile(join(many, `empty-file-with-a-long-name-${i}`), '');
    const mnt = join(work, 'tiny');
    await mkdir(mnt);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mnt]);
    try {
      const err = await codeOf(
        runBackup({ source: many, destRoot: mnt, includeLoop: false }, ctx(), {
          now: next_,
          racyWindowMs: 0,
          skipSpaceCheck: true,
        }),
      );
      expect(err.code).toBe('BACKUP_NO_SPACE');
      expect(err.detail ?? err.message).toMatch(/no manifest was written.*left in .*\.incomplete/);
      const left = await readdir(mnt);
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(/\.incomplete$/);
      expect(await readdir(join(mnt, left[0]!))).not.toContain(MANIFEST_NAME);
      expect(await listBackups(mnt)).toEqual([]);
    } finally {
      await execa('umount', [mnt]);
    }
  });
});
