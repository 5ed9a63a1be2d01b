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
  const found: BackupSummary[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const path = join(destRoot, e.name);
    const manifest = await readManifest(path);
    if (!manifest || manifest.id !== basename(path)) continue;
    const lastCheck = await readLastCheck(path);
    found.push(lastCheck ? { path, manifest, lastCheck } : { path, manifest });
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
