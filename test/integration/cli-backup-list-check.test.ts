import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RACY_WINDOW_MS } from '../../src/main/core/backup/file-index';
import { MANIFEST_NAME } from '../../src/main/core/backup/manifest';
import { assertCliBuilt, cliRunner } from '../helpers/cli';

// The built CLI: a backup, an incremental one, `backup list --json` with what each holds, and `backup check`
// failing (exit 1) with the damaged file's name; a folder whose manifest is corrupt lists as unverified.

let dir: string;
const { cli } = cliRunner(() => dir);

beforeAll(async () => {
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-cli-backups-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kintsugi backup list | check', () => {
  it('lists new vs linked and the verify mode; check names a damaged file and exits 1', async () => {
    const src = join(dir, 'src');
    const dest = join(dir, 'dest');
    await mkdir(join(src, 'models'), { recursive: true });
    await mkdir(dest);
    await writeFile(join(src, 'models/weights.bin'), Buffer.alloc(2 * 1024 * 1024, 7));
    await writeFile(join(src, 'notes.txt'), 'first\n');
    // Older than the racy window (file-index.ts): the first backup records the weights' source, so the second
    // inherits them; a file read less than 3 s after it changed is read again by the next backup.
    await new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 200));

    const first = await cli(['backup', src, dest, '--json']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    await writeFile(join(src, 'notes.txt'), 'second version\n');
    const second = await cli(['backup', src, dest]);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(String(second.stdout)).toMatch(/Incremental verify: 1 file\(s\) read and checked/);

    const listed = await cli(['backup', 'list', dest, '--json']);
    expect(listed.exitCode, String(listed.stderr)).toBe(0);
    const l = JSON.parse(String(listed.stdout)).result as {
      backups: {
        path: string;
        usable: boolean;
        manifest: { bytes: number; verify: Record<string, unknown> };
      }[];
    };
    expect(l.backups).toHaveLength(2);
    expect(l.backups[0]!.manifest.verify).toMatchObject({
      mode: 'incremental',
      hashedFiles: 1,
      inheritedFiles: 1,
      linkedBytes: 2 * 1024 * 1024,
      newBytes: 'second version\n'.length,
    });
    expect(l.backups[1]!.manifest.verify).toMatchObject({ mode: 'full', hashedFiles: 2 });
    expect(l.backups.every((b) => b.usable)).toBe(true);

    const newest = l.backups[0]!.path;
    const ok = await cli(['backup', 'check', newest]);
    expect(ok.exitCode).toBe(0);
    expect(String(ok.stdout)).toMatch(/ok, 2 files/);
    // Run as a job: its verify phase is reported (bytes of the backup's bytes, files of its files).
    const watched = await cli(['backup', 'check', newest, '--json', '--progress']);
    const verify = String(watched.stdout)
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            progress?: {
              kind: string;
              phase: string;
              bytes: number;
              total: number;
              items: number;
              itemsTotal: number;
            };
          },
      )
      .map((e) => e.progress)
      .filter((p) => p?.kind === 'backup' && p.phase === 'verify');
    expect(verify.length).toBeGreaterThanOrEqual(2);
    expect(verify.at(-1)).toMatchObject({ items: 2, itemsTotal: 2, bytes: l.backups[0]!.manifest.bytes });

    await writeFile(join(newest, 'notes.txt'), 'SECOND VERSION\n');
    const bad = await cli(['backup', 'check', newest, '--json']);
    expect(bad.exitCode).toBe(1);
    const r = JSON.parse(String(bad.stdout)).result as { ok: boolean; problems: string[] };
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['notes.txt: content differs from its recorded sha256']);

    const human = await cli(['backup', 'list', dest]);
    expect(String(human.stdout)).toMatch(/DAMAGED/);
    expect(String(human.stdout)).toMatch(/last check .*: 1 problem\(s\), first: notes\.txt/);

    // The oldest one's manifest turned to garbage: listed as unverified with the reason, never as a backup.
    const oldest = l.backups[1]!.path;
    await writeFile(
      join(oldest, MANIFEST_NAME),
      (await readFile(join(oldest, MANIFEST_NAME), 'utf8')).slice(9),
    );
    const after = JSON.parse(String((await cli(['backup', 'list', dest, '--json'])).stdout)).result as {
      backups: unknown[];
      unverified: { path: string; reason: string }[];
    };
    expect(after.backups).toHaveLength(1);
    expect(after.unverified).toEqual([{ path: oldest, reason: `${MANIFEST_NAME} is not valid JSON` }]);
    const check = await cli(['backup', 'check', oldest]);
    expect(check.exitCode).not.toBe(0);
    expect(String(check.stderr) + String(check.stdout)).toMatch(/not valid JSON.*counts as unverified/);
  });
});
