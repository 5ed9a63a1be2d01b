import { readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { BackupCheckRecord, BackupManifest } from '../../../shared/model';
import { writeFileAtomic } from '../util/atomic-write';
import { fsyncPath } from '../util/fsync';
import { INDEX_NAME } from './file-index';

// The manifest is what makes a folder a backup. It is written (atomically) only after verification
// succeeded, so a folder without one, or with verified:false, never counts as "previous" for --link-dest and
// never unlocks flashing. Version 2 adds the per-file index (file-index.ts) beside it: the index is written and
// fsynced first, the head (this JSON, holding the index's sha256) last, so a head never vouches for a partial index.

export const MANIFEST_NAME = 'kintsugi-backup.json';
/** The last `backup check`, kept apart so checking never rewrites the manifest. */
export const CHECK_NAME = 'kintsugi-backup.check.json';
/** Kintsugi's own files at a backup's root: never copied back by a restore, never compared with a source. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([MANIFEST_NAME, INDEX_NAME, CHECK_NAME]);
export { INDEX_NAME };

const count = z.number().int().nonnegative();
const common = {
  id: z.string().min(1),
  source: z.string().min(1),
  sourceDescription: z.string().optional(),
  createdAt: z.string().min(1),
  finishedAt: z.string().min(1),
  files: count,
  bytes: z.number().nonnegative(),
  linkDest: z.string().optional(),
  verified: z.boolean(),
  tools: z.record(z.string(), z.string()),
};
const manifestSchema = z.discriminatedUnion('formatVersion', [
  z.object({ formatVersion: z.literal(1), ...common }),
  z.object({
    formatVersion: z.literal(2),
    ...common,
    index: z.strictObject({
      name: z.literal(INDEX_NAME),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      entries: count,
      bytes: count,
    }),
    verify: z.strictObject({
      mode: z.enum(['full', 'incremental']),
      hashedFiles: count,
      hashedBytes: count,
      inheritedFiles: count,
      inheritedBytes: count,
      newBytes: count,
      linkedBytes: count,
      sinceFull: count,
    }),
  }),
]);

const checkSchema = z.strictObject({
  at: z.string(),
  ok: z.boolean(),
  files: count,
  problems: z.array(z.string()),
  problemCount: count,
});

export function manifestPath(backupDir: string): string {
  return join(backupDir, MANIFEST_NAME);
}

/** The index of a version-2 backup, where it is and the sha256 its head records; undefined for version 1. */
export function indexOf(
  backup: { path: string; manifest: BackupManifest } | undefined,
): { path: string; sha256: string } | undefined {
  const index = backup?.manifest.index;
  return index ? { path: join(backup.path, index.name), sha256: index.sha256 } : undefined;
}

export async function writeManifest(backupDir: string, manifest: BackupManifest): Promise<void> {
  await writeFileAtomic(manifestPath(backupDir), `${JSON.stringify(manifest, null, 2)}\n`);
}

export type ManifestRead =
  { state: 'ok'; manifest: BackupManifest } | { state: 'missing' } | { state: 'corrupt'; reason: string };

/** The manifest of a folder, or why there is none usable (missing, or not a manifest this app wrote). */
export async function readManifestState(backupDir: string): Promise<ManifestRead> {
  let text: string;
  try {
    text = await readFile(manifestPath(backupDir), 'utf8');
  } catch {
    return { state: 'missing' };
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { state: 'ok', manifest: parsed.data as BackupManifest };
    return { state: 'corrupt', reason: `${MANIFEST_NAME} does not match the manifest format` };
  } catch {
    return { state: 'corrupt', reason: `${MANIFEST_NAME} is not valid JSON` };
  }
}

/** The manifest of a folder, or undefined when it has none or it does not parse (a foreign or damaged folder). */
export async function readManifest(backupDir: string): Promise<BackupManifest | undefined> {
  const r = await readManifestState(backupDir);
  return r.state === 'ok' ? r.manifest : undefined;
}

export async function readLastCheck(backupDir: string): Promise<BackupCheckRecord | undefined> {
  try {
    const parsed = checkSchema.safeParse(JSON.parse(await readFile(join(backupDir, CHECK_NAME), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Records a check; the folder's mtime is put back (it is part of what a backup copied). */
export async function writeLastCheck(backupDir: string, record: BackupCheckRecord): Promise<void> {
  const times = await stat(backupDir);
  await writeFileAtomic(join(backupDir, CHECK_NAME), `${JSON.stringify(record, null, 2)}\n`);
  await utimes(backupDir, times.atime, times.mtime);
  await fsyncPath(backupDir);
}
