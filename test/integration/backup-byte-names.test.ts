import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, loggingContext } from '../helpers/backup-test-kit';
import { runBackup } from '../../src/main/core/backup/backup';
import { runRestore } from '../../src/main/core/backup/restore';
import { checkBackup } from '../../src/main/core/backup/check';
import { INDEX_NAME, RESERVED_NAMES } from '../../src/main/core/backup/manifest';

// Linux file names are bytes: a name holding 0xff (never UTF-8) must be backed up, verified, indexed, checked and
// restored as those bytes, and named readably (\xff) in every message. Real rsync on a real tree; the names are
// handled as Buffers here so that no UTF-8 decoding can hide a lost byte.

const B = (...parts: (string | number[] | Buffer)[]) =>
  Buffer.concat(
    parts.map((p) => (Buffer.isBuffer(p) ? p : typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))),
  );
const DIR = B('dir-', [0xfe]);
const FF = B('a', [0xff], 'b'); // in DIR
const C1 = B('x', [0x80], 'y'); // at the root
const HASH = B('back\\#377slash'); // looks like rsync's own escape: must not be decoded as one
const CTRL = B('esc', [0x1b], '[31m'); // an escape sequence in a name

const ctx = loggingContext;
const at = (dir: string, ...names: Buffer[]) =>
  Buffer.concat([Buffer.from(dir), ...names.map((n) => B('/', n))]);
/** Every name below dir, as bytes, depth first, sorted: what a restore must reproduce exactly. */
async function namesBelow(dir: Buffer, rel = Buffer.alloc(0)): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, encoding: 'buffer' })) {
    if (RESERVED_NAMES.has(e.name.toString('latin1'))) continue;
    const r = rel.length ? B(rel, '/', e.name) : e.name;
    out.push(r.toString('hex'));
    if (e.isDirectory()) out.push(...(await namesBelow(B(dir, '/', e.name), r)));
  }
  return out.sort();
}

let work: string;
let src: string;
let dest: string;
let t = Date.parse('2026-11-24T10:00:00Z');
const next = () => new Date((t += 60_000));

// racyWindowMs: 0 - these trees are written seconds before they are backed up, and every file changed less than
// 3 s before its read is recorded to be read again next time (file-index.ts RACY_WINDOW_MS, tested on its own in
// backup-link-plan.test.ts); here the inheritance itself is under test.

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-byte-names-'));
  src = join(work, 'source');
  dest = join(work, 'dest');
  await mkdir(src);
  await mkdir(dest);
  await mkdir(at(src, DIR));
  await writeFile(at(src, DIR, FF), 'the 0xff file\n');
  await writeFile(at(src, C1), 'the 0x80 file\n');
  // A whole second: the test's later utimes (through a Date, milliseconds) puts back exactly this mtime, so rsync's
  // quick check (size and mtime to the nanosecond) sees the rewrite as unchanged. touch -r would keep nanoseconds
  // too, but a command line cannot carry a name that is not UTF-8.
  await utimes(at(src, C1), 1_700_000_000, 1_700_000_000);
  await writeFile(at(src, HASH), 'a backslash and a hash\n');
  await writeFile(at(src, CTRL), 'an escape in the name\n');
  await writeFile(join(src, 'plain.txt'), 'plain\n');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('names that are not UTF-8', () => {
  let first: string;

  it('are backed up as their bytes, indexed losslessly (base64, flagged) and verified', async () => {
    const made = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    first = made.path;
    expect(await namesBelow(Buffer.from(first))).toEqual(await namesBelow(Buffer.from(src)));
    expect(made.verify).toMatchObject({ mode: 'full', hashedFiles: 5 });
    const lines = (await readFile(join(first, INDEX_NAME), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path?: string; pathBytes?: string });
    const raw = lines.map((l) => (l.pathBytes ? Buffer.from(l.pathBytes, 'base64') : Buffer.from(l.path!)));
    expect(raw.map((r) => r.toString('hex')).sort()).toEqual(
      [B(DIR, '/', FF), C1, HASH, CTRL, B('plain.txt')].map((r) => r.toString('hex')).sort(),
    );
    // Text where the bytes are UTF-8 (the escape character is valid UTF-8: JSON escapes it), base64 where not.
    expect(lines.filter((l) => l.pathBytes).length).toBe(2);
    expect((await checkBackup(first)).ok).toBe(true);
  });

  it('an incremental backup reads only the changed one; a stale link (touch -r) is copied again by its bytes', async () => {
    await writeFile(at(src, DIR, FF), 'changed, and longer than before\n');
    const second = await runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
      now: next,
      racyWindowMs: 0,
    });
    expect(second.verify).toMatchObject({ mode: 'incremental', hashedFiles: 1, inheritedFiles: 4 });

    // Same size and mtime, new bytes: only its ctime tells, and the re-copy must name the file by its bytes.
    const victim = at(src, C1);
    const before = await stat(victim);
    await writeFile(victim, 'THE 0x80 FILE\n');
    await utimes(victim, before.atime, before.mtime);
    const c = ctx();
    const third = await runBackup({ source: src, destRoot: dest, includeLoop: false }, c, {
      now: next,
      racyWindowMs: 0,
    });
    expect(c.logs.join('\n')).toMatch(/copying them again, e\.g\. x\\x80y/);
    expect(await readFile(at(third.path, C1), 'utf8')).toBe('THE 0x80 FILE\n');
    expect((await checkBackup(third.path)).ok).toBe(true);
  });

  it('damage in a backup is named readably by check and restore; a clean restore reproduces every name', async () => {
    const target = join(work, 'restored');
    await runRestore({ backupDir: first, target, includeLoop: false }, ctx());
    expect(await namesBelow(Buffer.from(target))).toEqual(await namesBelow(Buffer.from(first)));

    await writeFile(at(first, DIR, FF), 'THE 0xff file\n'); // same size, one letter changed
    const check = await checkBackup(first);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual(['dir-\\xfe/a\\xffb: content differs from its recorded sha256']);
    await writeFile(at(first, CTRL), 'x');
    const named = (await checkBackup(first)).problems.join('\n');
    expect(named).toContain('esc\\x1b[31m: truncated');
    expect(named).not.toContain('\x1b');
  });

  it("a copy whose attributes differ is named from rsync's own escaped output, decoded", async () => {
    // Changed in the source, so rsync copies it and its metadata pass compares it.
    await writeFile(at(src, DIR, FF), 'rewritten so that rsync copies it\n');
    const err = await failure(
      runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
        now: next,
        racyWindowMs: 0,
        afterCopy: async (copy) => chmod(at(copy, DIR, FF), 0o600),
      }),
    );
    expect(err.code).toBe('BACKUP_VERIFY_FAILED');
    expect(err.detail).toMatch(/\.f\.\.\.p\S* dir-\\xfe\/a\\xffb/);
  });

  it('a name that reads like an rsync escape is kept literally', async () => {
    const changed = B('back\\#377slash');
    await chmod(at(src, changed), 0o640);
    const err = await failure(
      runBackup({ source: src, destRoot: dest, includeLoop: false }, ctx(), {
        now: next,
        racyWindowMs: 0,
        afterCopy: async (copy) => chmod(at(copy, changed), 0o600),
      }),
    );
    expect(err.detail).toContain('back\\\\#377slash');
  });
});
