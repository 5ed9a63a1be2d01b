import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, loggingContext } from '../helpers/backup-test-kit';
import { populatePersistence, type FixtureFiles } from '../helpers/populate-persistence';
import { runBackup } from '../../src/main/core/backup/backup';
import { checkBackup } from '../../src/main/core/backup/check';
import { RACY_WINDOW_MS, readIndex } from '../../src/main/core/backup/file-index';
import { LISTING_MAX, createHashPool } from '../../src/main/core/backup/hash-pool';
import { PENDING_SHA256, planAndLink } from '../../src/main/core/backup/link-plan';
import { latestVerifiedBackup, listBackups } from '../../src/main/core/backup/list';
import { LOCK_NAME } from '../../src/main/core/backup/lock';
import { INDEX_NAME } from '../../src/main/core/backup/manifest';

// An incremental backup links its unchanged files itself (link-plan.ts) and gives rsync only the rest, with real
// rsync on the tricky fixture tree (hard links, sparse file, xattrs, ACLs, odd names).

const ctx = loggingContext;
let work: string;
let src: string;
let files: FixtureFiles;
let at = Date.parse('2026-11-25T10:00:00Z');
const next = () => new Date((at += 60_000));

// racyWindowMs: 0 - these trees are written seconds before they are backed up, and every file changed less than
// 3 s before its read is recorded to be read again next time (file-index.ts RACY_WINDOW_MS, tested on its own in
// backup-link-plan.test.ts); here the inheritance itself is under test.

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-link-plan-it-'));
  src = join(work, 'source');
  await mkdir(src);
  ({ files } = await populatePersistence(src));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A file below a root, by the byte path an index names it with (byte-path.ts: one latin1 char per byte). */
const under = (root: string, path: string) =>
  Buffer.concat([Buffer.from(`${root}/`), Buffer.from(path, 'latin1')]);

/** An index file's entries by path: a backup's (join(backup, INDEX_NAME)) or a plan's. */
async function entries(file: string) {
  const out = new Map<string, { how: string; sha256: string; size: number; src?: object }>();
  for await (const e of readIndex(file)) out.set(e.path, e);
  return out;
}

describe('an unchanged tree', () => {
  it('is linked file by file from the previous backup, hard-link groups kept; rsync copies no file', async () => {
    const dest = join(work, 'unchanged');
    await mkdir(dest);
    const first = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    const c = ctx();
    const second = await runBackup({ source: src, destRoot: dest, includeLoop: false }, c, {
      now: next,
      racyWindowMs: 0,
    });
    expect(c.logs.join('\n')).toMatch(
      new RegExp(
        `${second.index!.entries} unchanged file\\(s\\) .* linked from ${first.id}; 0 file\\(s\\) \\(0 B\\)`,
      ),
    );
    expect(second.verify).toMatchObject({ mode: 'incremental', hashedFiles: 0 });
    expect(second.files).toBe(first.files);
    expect(second.bytes).toBe(first.bytes);
    for (const [path, e] of await entries(join(second.path, INDEX_NAME))) {
      expect(e.how, path).toBe('inherited');
      const [a, b] = await Promise.all([stat(under(first.path, path)), stat(under(second.path, path))]);
      expect(b.ino, path).toBe(a.ino);
    }
    // The source's hard-link group is one inode in the new backup too.
    const [h0, ...hs] = await Promise.all(files.hardLinks.map((p) => stat(join(second.path, p))));
    for (const h of hs) expect(h.ino).toBe(h0!.ino);
    expect((await checkBackup(second.path)).ok).toBe(true);
  });
});

describe('a file rsync links although it changed', () => {
  it('rewritten at the same size within the same second (rsync compares whole seconds): copied again, the backup verifies', async () => {
    const dest = join(work, 'same-second');
    await mkdir(dest);
    const first = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    const victim = join(src, files.randomFiles[2]!);
    const before = await stat(victim, { bigint: true });
    const text = await readFile(victim);
    text[0] = text[0]! ^ 0xff; // same size, other bytes
    await writeFile(victim, text);
    // The same whole second as the backed-up copy's mtime, another nanosecond: the plan sees a change (mtime,
    // ctime), rsync's quick check does not, and links the old bytes.
    const sec = before.mtimeNs / 1_000_000_000n;
    const frac = before.mtimeNs % 1_000_000_000n;
    const ns = frac + (frac >= 500_000_000n ? -300_000_000n : 300_000_000n); // 0.3 s away, same second
    await execa('touch', ['-m', '-d', `@${sec}.${String(ns).padStart(9, '0')}`, victim]);
    expect((await stat(victim, { bigint: true })).mtimeNs).not.toBe(before.mtimeNs);
    const c = ctx();
    const second = await runBackup({ source: src, destRoot: dest, includeLoop: false }, c, {
      now: next,
      racyWindowMs: 0,
    });
    expect(c.logs.join('\n')).toMatch(/their ctime did\): copying them again/);
    expect(second.verify).toMatchObject({ mode: 'incremental', hashedFiles: 1 });
    expect((await readFile(join(second.path, files.randomFiles[2]!))).equals(text)).toBe(true);
    expect((await readFile(join(first.path, files.randomFiles[2]!))).equals(text)).toBe(false);
    expect((await checkBackup(second.path)).ok).toBe(true);
  });
});

describe('a file changed just before it was read (racily clean)', () => {
  it('is recorded without its source, so the next backup reads it again; an older one is inherited', async () => {
    const tree = join(work, 'racy');
    const dest = join(work, 'racy-dest');
    await mkdir(tree);
    await mkdir(dest);
    await writeFile(join(tree, 'settled.txt'), 'written a while ago\n');
    // Past the window (3 s): this file's ctime is older than any read of it.
    await new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 200));
    await writeFile(join(tree, 'fresh.txt'), 'written just now\n');
    const c = ctx();
    const first = await runBackup({ source: tree, destRoot: dest, includeLoop: false }, c, { now: next });
    expect(c.logs.join('\n')).toMatch(/1 file\(s\) had changed less than 3 s before they were read/);
    const idx = await entries(join(first.path, INDEX_NAME));
    expect(idx.get('settled.txt')?.src).toBeDefined();
    expect(idx.get('fresh.txt')?.src).toBeUndefined();
    const second = await runBackup({ source: tree, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
    });
    expect(second.verify).toMatchObject({ mode: 'incremental', hashedFiles: 1, inheritedFiles: 1 });
    const again = await entries(join(second.path, INDEX_NAME));
    expect(again.get('fresh.txt')?.how).toBe('hashed');
    expect(again.get('settled.txt')?.how).toBe('inherited');
  });
});

describe('the plan', () => {
  it('gives rsync a file whose link is refused, and the verify reads it', async () => {
    const dest = join(work, 'refused');
    await mkdir(dest);
    await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    const prev = (await latestVerifiedBackup(dest))!;
    const copy = join(dest, 'plan-copy');
    await mkdir(copy);
    // The real pool, with a fault: the previous backup's file vanishes just before the link is made.
    const pool = createHashPool();
    const victim = files.randomFiles[0]!;
    const faulty = {
      ...pool,
      link: async (prevDir: string, copyDir: string, names: string[]) => {
        if (names.includes(victim.split('/').pop()!)) await unlink(join(prev.path, victim));
        return pool.link(prevDir, copyDir, names);
      },
    };
    try {
      const plan = await planAndLink({
        source: src,
        copy,
        previous: prev,
        pool: faulty,
        signal: new AbortController().signal,
        scratch: join(dest, 'scratch'),
      });
      const planned = await entries(plan.planPath);
      expect(planned.get(victim)).toMatchObject({ how: 'hashed', sha256: PENDING_SHA256 });
      expect(planned.get(files.randomFiles[1]!)?.how).toBe('inherited');
      const list = (await readFile(plan.listPath, 'latin1')).split('\0');
      expect(list).toContain(victim);
      expect(list).toContain('.');
      expect(list).not.toContain(files.randomFiles[1]!);
      expect(plan.copyFiles).toBe(1);
      expect(plan.linkedFiles).toBe(plan.files - 1);
      await expect(stat(join(copy, victim))).rejects.toThrow(/ENOENT/);
      expect((await stat(join(copy, files.randomFiles[1]!))).ino).toBe(
        (await stat(join(prev.path, files.randomFiles[1]!))).ino,
      );
    } finally {
      await pool.close();
    }
  });

  it('a folder of more files than one worker reply holds is planned a chunk at a time, in order', async () => {
    const tree = join(work, 'wide');
    const dest = join(work, 'wide-dest');
    await mkdir(join(tree, 'many'), { recursive: true });
    await mkdir(dest);
    const n = LISTING_MAX + 5;
    for (let i = 0; i < n; i++) await writeFile(join(tree, 'many', `f${i}`), `file ${i}\n`);
    await runBackup({ source: tree, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    await writeFile(join(tree, 'many', `f${n - 1}`), 'the last one changed\n');
    const second = await runBackup({ source: tree, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    expect(second.verify).toMatchObject({ mode: 'incremental', hashedFiles: 1, inheritedFiles: n - 1 });
    const idx = await entries(join(second.path, INDEX_NAME));
    expect(idx.get(`many/f${n - 1}`)).toMatchObject({
      how: 'hashed',
      sha256: createHash('sha256').update('the last one changed\n').digest('hex'),
    });
    expect(idx.get(`many/f${LISTING_MAX + 1}`)?.how).toBe('inherited');
  });

  it('a previous index edited since (a checksum changed) is refused with what to do, and nothing is inherited from it', async () => {
    const dest = join(work, 'edited');
    await mkdir(dest);
    const first = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    const indexFile = join(first.path, INDEX_NAME);
    const text = await readFile(indexFile, 'utf8');
    const line = text.split('\n').find((l) => l.includes(`"path":${JSON.stringify(files.randomFiles[1])}`))!;
    const forged = line.replace(/"sha256":"(.)/, (_m, c: string) => `"sha256":"${c === '0' ? '1' : '0'}`);
    await writeFile(indexFile, text.replace(line, forged));
    const err = await failure(
      runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), { now: next, racyWindowMs: 0 }),
    );
    expect(err.code).toBe('BACKUP_FAILED');
    expect(err.detail ?? err.message).toMatch(
      /file list cannot be trusted .*changed after the backup was made/,
    );
    expect(err.hint).toMatch(/--full-verify/);
    const full = await runBackup(
      { source: src, destRoot: dest, includeLoop: false, fullVerify: true },
      ctx(),
      { now: next, racyWindowMs: 0 },
    );
    expect(full.verify).toMatchObject({ mode: 'full', inheritedFiles: 0 });
    expect((await checkBackup(full.path)).ok).toBe(true);
  });

  it('a cancel while linking stops the backup, says what was left, and nothing lists', async () => {
    const dest = join(work, 'cancelled');
    await mkdir(dest);
    await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    const ac = new AbortController();
    const c = {
      ...ctx(),
      signal: ac.signal,
      log: (m: string) => (/^Linking the files/.test(m) ? ac.abort() : undefined),
    };
    const err = await failure(
      runBackup({ source: src, destRoot: dest, includeLoop: false }, c, { now: next, racyWindowMs: 0 }),
    );
    expect(err.code).toBe('CANCELLED');
    expect(err.detail ?? err.message).toMatch(/stopped while linking unchanged files.*\.incomplete/);
    expect(await listBackups(dest)).toHaveLength(1);
    // The unfinished folder is named and stays (never deleted by the app); the plan's scratch files do not.
    const left = (await readdir(dest)).filter((n) => n !== LOCK_NAME);
    expect(left.filter((n) => n.endsWith('.incomplete'))).toHaveLength(1);
    expect(left.filter((n) => /\.(plan|list)$/.test(n))).toEqual([]);
  });
});
