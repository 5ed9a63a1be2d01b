import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BackupSummary } from '../../../shared/model';
import { readManifest } from './manifest';

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
    if (manifest && manifest.id === basename(path)) found.push({ path, manifest });
  }
  // Newest first; the id (a timestamp) breaks ties between backups made in the same second.
  return found.sort(
    (a, b) => cmp(b.manifest.createdAt, a.manifest.createdAt) || cmp(b.manifest.id, a.manifest.id),
  );
}

/** The newest backup that was verified: the only kind --link-dest may build on and flashing may rely on. */
export async function latestVerifiedBackup(destRoot: string): Promise<BackupSummary | undefined> {
  return (await listBackups(destRoot)).find((b) => b.manifest.verified);
}

function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
