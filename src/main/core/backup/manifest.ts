import { createHash } from 'node:crypto';
import { readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { BackupCheckRecord, BackupManifest } from '../../../shared/model';
import { writeFileAtomic } from '../util/atomic-write';
import { fsyncPath } from '../util/fsync';
import { INDEX_NAME, type IndexExpect } from './file-index';

// The manifest is what makes a folder a backup. It is written (atomically) only after verification
// succeeded, so a folder without one, or with verified:false, never counts as "previous" for --link-dest and
// never unlocks flashing. Version 2 adds the per-file index (file-index.ts) beside it: the index is written and
// fsynced first, the head (this JSON, holding the index's sha256) last, so a head never vouches for a partial index.
// Version 3 binds the two: the head carries its own sha256 (`headSha256`, over the head without that field), so
// an index edited together with the index sha256 its head records is caught too. What that protects and what
// it cannot (no key) is in README.md. Versions 1 and 2 are still read; a backup after one verifies fully once.

/** The manifest format this version writes. */
export const MANIFEST_FORMAT = 3;

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
const indexRecord = z.strictObject({
  name: z.literal(INDEX_NAME),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  entries: count,
  bytes: count,
});
const verifyRecord = z.strictObject({
  mode: z.enum(['full', 'incremental']),
  hashedFiles: count,
  hashedBytes: count,
  inheritedFiles: count,
  inheritedBytes: count,
  newBytes: count,
  linkedBytes: count,
  sinceFull: count,
});
const manifestSchema = z.discriminatedUnion('formatVersion', [
  z.object({ formatVersion: z.literal(1), ...common }),
  z.object({ formatVersion: z.literal(2), ...common, index: indexRecord, verify: verifyRecord }),
  z.object({
    formatVersion: z.literal(3),
    ...common,
    index: indexRecord,
    verify: verifyRecord,
    headSha256: z.string().regex(/^[0-9a-f]{64}$/),
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

/** The index of a backup with one (version 2 and later), where it is and what its head records; undefined for version 1. */
export function indexOf(
  backup: { path: string; manifest: BackupManifest } | undefined,
): (IndexExpect & { path: string }) | undefined {
  const index = backup?.manifest.index;
  return index
    ? {
        path: join(backup.path, index.name),
        sha256: index.sha256,
        entries: index.entries,
        bytes: index.bytes,
      }
    : undefined;
}

/** Whether the head binds its index (version 3): a version-2 head and index edited together go unseen. */
export function headBound(manifest: BackupManifest): boolean {
  return manifest.formatVersion >= 3 && manifest.headSha256 !== undefined;
}

/** The head's own checksum: the sha256 of its JSON as written, without the checksum field itself. */
export function headChecksum(manifest: BackupManifest): string {
  const { headSha256: _own, ...rest } = manifest;
  return createHash('sha256').update(headText(rest)).digest('hex');
}

function headText(manifest: BackupManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Writes the head atomically and returns it as written: a version-3 head gets its checksum here, as its last
 * field (any field it had is replaced).
 */
export async function writeManifest(backupDir: string, manifest: BackupManifest): Promise<BackupManifest> {
  const { headSha256: _old, ...fields } = manifest;
  const head = fields.formatVersion >= 3 ? { ...fields, headSha256: headChecksum(fields) } : fields;
  await writeFileAtomic(manifestPath(backupDir), headText(head));
  return head;
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
    const json: unknown = JSON.parse(text);
    const parsed = manifestSchema.safeParse(json);
    if (!parsed.success)
      return { state: 'corrupt', reason: `${MANIFEST_NAME} does not match the manifest format` };
    // The checksum is taken over the head as parsed (its fields in their written order), not over the parsed
    // schema output: a field the schema strips (an added "verified": true elsewhere) still changes it.
    const manifest = json as BackupManifest;
    if (manifest.formatVersion >= 3 && headChecksum(manifest) !== manifest.headSha256)
      return {
        state: 'corrupt',
        reason: `${MANIFEST_NAME} was changed after the backup was made (its own checksum does not match)`,
      };
    return { state: 'ok', manifest: parsed.data as BackupManifest };
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
