import { z } from 'zod';
import { domain, method, produced } from '../ipc/define';
import { absolutePath } from '../paths';
import { ROUTES, type UiState } from './routes';
import { settingsPatch, type Settings } from './settings';

// The app itself: settings, the page the user is on, native pickers and free space.

export const PICK_PURPOSES = [
  'image',
  'checksum',
  'signature',
  'backup-dir',
  'pubkey',
  'kernel-package',
  'kernel-workspace',
] as const;
export type PickPurpose = (typeof PICK_PURPOSES)[number];

export const appContract = domain({
  methods: {
    getSettings: method(z.tuple([]), produced<Settings>()),
    saveSettings: method(z.tuple([settingsPatch]), produced<Settings>()),
    getUiState: method(z.tuple([]), produced<UiState>()),
    saveUiState: method(z.tuple([z.strictObject({ route: z.enum(ROUTES) })]), produced<UiState>()),
    /** Free and total bytes of the filesystem holding path (the nearest existing parent when path is missing). */
    getFreeSpace: method(
      z.tuple([z.strictObject({ path: absolutePath })]),
      produced<{ path: string; free: number; total: number }>(),
    ),
    /** Opens a native file or folder chooser; null when the user cancels. */
    pickPath: method(
      z.tuple([z.strictObject({ purpose: z.enum(PICK_PURPOSES) })]),
      produced<string | null>(),
    ),
  },
});
