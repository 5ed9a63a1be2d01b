import { join } from 'node:path';
import { z } from 'zod';
import type { Settings } from '../../shared/model';
import { loadJsonFile, saveJsonFile } from '../core/wizard/json-file';

// The app's settings (userData/settings.json). dataRoot defaults to /data; tests always point it elsewhere.

const absolute = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/'), 'must be an absolute path');

export const settingsSchema = z.object({
  includeLoop: z.boolean().default(false),
  pubkey: z.string().max(8192).optional(),
  backupDir: absolute.optional(),
  dataRoot: absolute.default('/data'),
  cacheDir: absolute.optional(),
});

export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return { includeLoop: false, dataRoot: '/data', ...overrides };
}

export class SettingsStore {
  readonly path: string;
  lastCorruptCopy?: string;

  constructor(
    dir: string,
    private readonly defaults: Partial<Settings> = {},
  ) {
    this.path = join(dir, 'settings.json');
  }

  async load(): Promise<Settings> {
    const outcome = await loadJsonFile(this.path, settingsSchema, () => defaultSettings(this.defaults));
    if (outcome.corruptCopy) this.lastCorruptCopy = outcome.corruptCopy;
    return { ...defaultSettings(this.defaults), ...stripUndefined(outcome.value) };
  }

  async save(patch: Partial<Settings>): Promise<Settings> {
    const current = await this.load();
    const next = settingsSchema.parse({ ...current, ...stripUndefined(patch) });
    // An empty public key means "none": drop it rather than keep an empty string.
    if (next.pubkey !== undefined && next.pubkey.trim() === '') delete next.pubkey;
    await saveJsonFile(this.path, next);
    return next;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
