import { join } from 'node:path';
import {
  defaultSettings,
  settingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../../shared/app/settings';
import { loadJsonFile, saveJsonFile } from '../util/json-file';

// The app's settings (userData/settings.json). The schema is the shared one: the file, the IPC patch and the
// type cannot drift apart.

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

  async save(patch: SettingsPatch): Promise<Settings> {
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
