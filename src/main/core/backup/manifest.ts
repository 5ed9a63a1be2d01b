import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { BackupManifest } from '../../../shared/model';
import { writeFileAtomic } from '../util/atomic-write';

// The manifest is what makes a folder a backup. It is written (atomically) only after verification
// succeeded, so a folder without one, or with verified:false, never counts as "previous" for --link-dest and
// never unlocks flashing.

export const MANIFEST_NAME = 'kintsugi-backup.json';

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  id: z.string().min(1),
  source: z.string().min(1),
  sourceDescription: z.string().optional(),
  createdAt: z.string().min(1),
  finishedAt: z.string().min(1),
  files: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  linkDest: z.string().optional(),
  verified: z.boolean(),
  tools: z.record(z.string(), z.string()),
});

export function manifestPath(backupDir: string): string {
  return join(backupDir, MANIFEST_NAME);
}

export async function writeManifest(backupDir: string, manifest: BackupManifest): Promise<void> {
  await writeFileAtomic(manifestPath(backupDir), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of a folder, or undefined when it has none or it does not parse (a foreign or damaged folder). */
export async function readManifest(backupDir: string): Promise<BackupManifest | undefined> {
  let text: string;
  try {
    text = await readFile(manifestPath(backupDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as BackupManifest) : undefined;
  } catch {
    return undefined;
  }
}
