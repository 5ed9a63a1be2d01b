import { z } from 'zod';

// Metered networks, as every layer that downloads sees them: the setting (auto asks NetworkManager) and the two
// fields a download job carries, so the gate runs where the download happens, whoever asked for it.

export const meteredSetting = z.enum(['auto', 'yes', 'no']);
export type MeteredSetting = z.output<typeof meteredSetting>;

/** Spread into a download job's params: the person's yes (asked by the page or the CLI) and the setting. */
export const meteredParams = {
  allowMetered: z.boolean().default(false),
  meteredSetting: meteredSetting.default('auto'),
};
