import { z } from 'zod';
import { absolutePath } from '../paths';

// The app's settings: one schema, from which the saved file's check, the IPC patch's check and the type come.

export const settingsSchema = z.object({
  includeLoop: z.boolean().default(false),
  /** minisign public key (the base64 line, the whole .pub text, or a path to a .pub file). */
  pubkey: z.string().max(8192).optional(),
  backupDir: absolutePath.optional(),
  /** The Kintsugi data root; tests always point it elsewhere. */
  dataRoot: absolutePath.default('/data'),
  cacheDir: absolutePath.optional(),
});

export type Settings = z.output<typeof settingsSchema>;

/** What a caller may change: any field, nothing else. */
export const settingsPatch = z.strictObject({
  includeLoop: z.boolean().optional(),
  pubkey: z.string().max(8192).optional(),
  backupDir: absolutePath.optional(),
  dataRoot: absolutePath.optional(),
  cacheDir: absolutePath.optional(),
});

export type SettingsPatch = z.output<typeof settingsPatch>;

export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return { includeLoop: false, dataRoot: '/data', ...overrides };
}
