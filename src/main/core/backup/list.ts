import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { backupUsable } from '../../../shared/backup/usable';
import type { BackupSummary } from '../../../shared/model';
import { readLastCheck, readManifest, readManifestState } from './manifest';

// A backup is a folder directly under the destination root whose manifest names the folder itself. Unfinished
// copies live in "<id>.incomplete" folders: their names never match a manifest id, so they never list.

export async function listBackups(destRoot: string): Promise<BackupSummary[]> {
  let entries;
  try {
    entries = await readdir(destRoot, { withFileTypes: true });
  } catch {
    return [];
  }
  // Eight folders read at a time, not one: every backup starts by listing its destination, and one read waited on
  // after another added up to a visible part of an unchanged backup's time once a destination held a few dozen.
  // The destination is never the drive that may stop answering, so libuv's threads may read it.
  const found: BackupSummary[] = [];
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => join(destRoot, e.name));
  for (let i = 0; i < dirs.length; i += 8) {
    const read = await Promise.all(
      dirs.slice(i, i + 8).map(async (path) => {
        const manifest = await readManifest(path);
        if (!manifest || manifest.id !== basename(path)) return undefined;
        const lastCheck = await readLastCheck(path);
        return lastCheck ? { path, manifest, lastCheck } : { path, manifest };
      }),
    );
    for (const b of read) if (b) found.push(b);
  }
  // Newest first; the id (a timestamp) breaks ties between backups made in the same second.
  return found.sort(
    (a, b) => cmp(b.manifest.createdAt, a.manifest.createdAt) || cmp(b.manifest.id, a.manifest.id),
  );
}

/** The newest usable backup (shared/backup/usable.ts): the only kind --link-dest may build on. */
export async function latestVerifiedBackup(destRoot: string): Promise<BackupSummary | undefined> {
  return (await listBackups(destRoot)).find((b) => backupUsable(b.manifest, b.lastCheck));
}

/**
 * Folders named like backups whose manifest is missing or unreadable: listed as unverified (never usable),
 * so the user sees them rather than wondering where a backup went. Unfinished copies are named too.
 */
export async function unreadableBackups(destRoot: string): Promise<{ path: string; reason: string }[]> {
  let entries;
  try {
    entries = await readdir(destRoot, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: { path: string; reason: string }[] = [];
  for (const e of entries.sort((a, b) => cmp(b.name, a.name))) {
    if (!e.isDirectory() || !e.name.startsWith('kintsugi-backup-')) continue;
    const path = join(destRoot, e.name);
    if (e.name.endsWith('.incomplete')) {
      out.push({ path, reason: 'unfinished copy (never verified)' });
      continue;
    }
    const r = await readManifestState(path);
    if (r.state === 'missing') out.push({ path, reason: 'its manifest is missing' });
    else if (r.state === 'corrupt') out.push({ path, reason: r.reason });
    else if (r.manifest.id !== e.name) out.push({ path, reason: `its manifest belongs to ${r.manifest.id}` });
  }
  return out;
}

function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
