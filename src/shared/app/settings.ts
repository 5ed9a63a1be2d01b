import { z } from 'zod';
import { meteredSetting } from '../network/metered';
import { OS_BACKENDS } from '../os/model';
import { absolutePath } from '../paths';
import { remoteUrl } from '../repo/contract';

// The app's settings: one schema, from which the saved file's check, the IPC patch's check and the type come.

/** Hours between background OS checks: at most one an hour, at least one a week. */
export const osCheckInterval = z.number().int().min(1).max(168);
export const OS_CHECK_INTERVAL_DEFAULT = 6;
export const osBackendSetting = z.enum(['auto', ...OS_BACKENDS]);

export const settingsSchema = z.object({
  includeLoop: z.boolean().default(false),
  /** minisign public key (the base64 line, the whole .pub text, or a path to a .pub file). */
  pubkey: z.string().max(8192).optional(),
  backupDir: absolutePath.optional(),
  /** The Kintsugi data root; tests always point it elsewhere. */
  dataRoot: absolutePath.default('/data'),
  cacheDir: absolutePath.optional(),
  /** npm's global prefix for npm-recipe frameworks; unset: npm's own (NPM_CONFIG_PREFIX, `npm config get prefix`). */
  npmPrefix: absolutePath.optional(),
  /** Where `repo clone` clones the toolkit from (src/shared/repo/remote.ts has the default). */
  repoRemote: remoteUrl.optional(),
  /** Where `repo link` puts the toolkit's scripts. */
  binDir: absolutePath.optional(),
  /** Whether downloads ask first; unset is 'auto': ask NetworkManager when nmcli exists (core/network/metered.ts). */
  metered: meteredSetting.optional(),
  /** OS updates: hours between background checks (unset: OS_CHECK_INTERVAL_DEFAULT; core/os/check-schedule.ts). */
  osCheckIntervalHours: osCheckInterval.optional(),
  /** Background OS checks on a metered network too (unset/off: skipped there; "check now" still asks). */
  osCheckOnMetered: z.boolean().optional(),
  /** The OS update backend, when detection (core/os/detect.ts) should be overruled; 'auto' (or unset): detect. */
  osBackend: osBackendSetting.optional(),
  /** Start in the tray at login: an XDG autostart entry (src/main/autostart.ts). Unset: off. */
  autostart: z.boolean().optional(),
});

export type Settings = z.output<typeof settingsSchema>;

/** A folder as a person types it: absolute, or under their home (`~`, `~/x`), or '' to clear the setting. */
const typedFolder = z.union([
  absolutePath,
  z.literal(''),
  z
    .string()
    .max(4096)
    .regex(/^~(\/[^\0]*)?$/, 'must be an absolute path or start with ~/'),
]);

/** What a caller may change: any field, nothing else. Folders as typed (main expands ~; '' clears). */
export const settingsPatch = z.strictObject({
  includeLoop: z.boolean().optional(),
  pubkey: z.string().max(8192).optional(),
  backupDir: typedFolder.optional(),
  dataRoot: typedFolder.optional(),
  cacheDir: typedFolder.optional(),
  npmPrefix: absolutePath.optional(),
  repoRemote: remoteUrl.optional(),
  binDir: absolutePath.optional(),
  metered: meteredSetting.optional(),
  /** OS updates: hours between background checks (unset: OS_CHECK_INTERVAL_DEFAULT; core/os/check-schedule.ts). */
  osCheckIntervalHours: osCheckInterval.optional(),
  /** Background OS checks on a metered network too (unset/off: skipped there; "check now" still asks). */
  osCheckOnMetered: z.boolean().optional(),
  /** The OS update backend, when detection (core/os/detect.ts) should be overruled; 'auto' (or unset): detect. */
  osBackend: osBackendSetting.optional(),
  /** Start in the tray at login: an XDG autostart entry (src/main/autostart.ts). Unset: off. */
  autostart: z.boolean().optional(),
});

export type SettingsPatch = z.output<typeof settingsPatch>;

export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return { includeLoop: false, dataRoot: '/data', ...overrides };
}
