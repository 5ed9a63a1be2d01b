import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freeBackupId, INCOMPLETE_SUFFIX } from '../../src/main/core/backup/backup';
import { latestVerifiedBackup, listBackups } from '../../src/main/core/backup/list';
import { MANIFEST_NAME, readManifest, writeManifest } from '../../src/main/core/backup/manifest';
import type { BackupManifest } from '../../src/shared/model';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kintsugi-backup-list-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function manifest(id: string, createdAt: string, verified = true): BackupManifest {
  return {
    formatVersion: 1,
    id,
    source: '/data',
    createdAt,
    finishedAt: createdAt,
    files: 1,
    bytes: 1,
    verified,
    tools: { rsync: '3.2.7' },
  };
}

async function folder(name: string, m?: BackupManifest | string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  if (typeof m === 'string') await writeFile(join(dir, MANIFEST_NAME), m);
  else if (m) await writeManifest(dir, m);
  return dir;
}

describe('listBackups', () => {
  it('lists folders whose manifest names them, newest first, and ignores everything else', async () => {
    await folder('kintsugi-backup-a', manifest('kintsugi-backup-a', '2026-01-01T00:00:00.000Z'));
    await folder('kintsugi-backup-c', manifest('kintsugi-backup-c', '2026-03-01T00:00:00.000Z', false));
    await folder('kintsugi-backup-b', manifest('kintsugi-backup-b', '2026-02-01T00:00:00.000Z'));
    await folder(
      'kintsugi-backup-d' + INCOMPLETE_SUFFIX,
      manifest('kintsugi-backup-d', '2026-04-01T00:00:00.000Z'),
    );
    await folder('no-manifest');
    await folder('broken', '{ not json');
    await folder('wrong-shape', JSON.stringify({ id: 'wrong-shape' }));
    await writeFile(join(root, 'a-file'), 'x');
    const list = await listBackups(root);
    expect(list.map((b) => b.manifest.id)).toEqual([
      'kintsugi-backup-c',
      'kintsugi-backup-b',
      'kintsugi-backup-a',
    ]);
    expect(list[0]!.path).toBe(join(root, 'kintsugi-backup-c'));
    // The unverified one lists (the UI shows it) but never counts as the previous backup.
    expect((await latestVerifiedBackup(root))?.manifest.id).toBe('kintsugi-backup-b');
  });

  it('is empty for a missing root', async () => {
    expect(await listBackups(join(root, 'missing'))).toEqual([]);
    expect(await latestVerifiedBackup(join(root, 'missing'))).toBeUndefined();
  });
});

describe('manifest', () => {
  it('round-trips and rejects damaged files', async () => {
    const dir = await folder('x');
    const m = {
      ...manifest('x', '2026-01-01T00:00:00.000Z'),
      linkDest: 'w',
      sourceDescription: 'directory /data',
    };
    await writeManifest(dir, m);
    expect(await readManifest(dir)).toEqual(m);
    await writeFile(join(dir, MANIFEST_NAME), JSON.stringify({ ...m, files: -1 }));
    expect(await readManifest(dir)).toBeUndefined();
  });
});

describe('freeBackupId', () => {
  it('names by UTC second and never reuses a name, finished or not', async () => {
    const at = new Date('2026-11-23T11:30:00.123Z');
    expect(await freeBackupId(root, at)).toBe('kintsugi-backup-2026-11-23T11-30-00Z');
    await folder('kintsugi-backup-2026-11-23T11-30-00Z');
    expect(await freeBackupId(root, at)).toBe('kintsugi-backup-2026-11-23T11-30-00Z-2');
    await folder('kintsugi-backup-2026-11-23T11-30-00Z-2' + INCOMPLETE_SUFFIX);
    expect(await freeBackupId(root, at)).toBe('kintsugi-backup-2026-11-23T11-30-00Z-3');
  });

  it('lists every backup of a destination holding more than one batch of them (read eight at a time), newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 19; i++) {
      const id = `kintsugi-backup-2026-01-${String(i + 1).padStart(2, '0')}T00-00-00Z`;
      ids.push(id);
      await mkdir(join(root, id));
      await writeManifest(
        join(root, id),
        manifest(id, `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`),
      );
    }
    await mkdir(join(root, 'not-a-backup'));
    // The oldest one is damaged: still one folder among the others, never listed.
    await writeFile(join(root, ids[0]!, MANIFEST_NAME), '{');
    const listed = (await listBackups(root)).map((b) => b.manifest.id);
    expect(listed).toEqual(ids.slice(1).reverse());
    expect((await latestVerifiedBackup(root))?.manifest.id).toBe(ids[18]);
  });
});
