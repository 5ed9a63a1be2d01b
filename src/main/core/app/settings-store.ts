import { homedir } from 'node:os';
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

  /** Saves one change on top of the saved settings. Saves run one after another: two fields changed at once
   * (a checkbox and a folder) both stay, neither reverts the other. */
  save(patch: SettingsPatch): Promise<Settings> {
    const run = this.chain.catch(() => undefined).then(() => this.apply(patch));
    this.chain = run;
    return run;
  }

  private chain: Promise<unknown> = Promise.resolve();

  private async apply(patch: SettingsPatch): Promise<Settings> {
    const current = await this.load();
    const next = settingsSchema.parse({ ...current, ...stripUndefined(normalizeFolders(patch)) });
    // An empty public key means "none": drop it rather than keep an empty string.
    if (next.pubkey !== undefined && next.pubkey.trim() === '') delete next.pubkey;
    // An emptied folder means "not set" (the data root then falls back to its default).
    for (const k of FOLDERS) if (patch[k] !== undefined && patch[k]!.trim() === '') delete next[k];
    await saveJsonFile(this.path, next);
    return this.load();
  }
}

const FOLDERS = ['backupDir', 'dataRoot', 'cacheDir'] as const;

/** `~` and `~/x` are the user's home (the app runs as the user); surrounding spaces are not part of a path. */
function normalizeFolders(patch: SettingsPatch): SettingsPatch {
  const out: SettingsPatch = { ...patch };
  for (const k of FOLDERS) {
    const v = patch[k]?.trim();
    if (v === undefined) continue;
    out[k] =
      v === '~' ? homedir() : v.startsWith('~/') ? join(homedir(), v.slice(2)) : v === '' ? undefined : v;
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
