import type { BackupManifest } from '../model';

// Incremental verifies trust the checksums of files linked from the previous backup; bit rot in those files
// would go unseen until a check or a restore. So every Nth backup the app suggests reading everything again
// (the setting fullVerifyEvery; 0 never suggests).

export const DEFAULT_FULL_VERIFY_EVERY = 10;

/** Whether the backup to be made after `previous` should be a full verify: N-1 incremental ones already. */
export function fullVerifyDue(
  previous: BackupManifest | undefined,
  every = DEFAULT_FULL_VERIFY_EVERY,
): boolean {
  if (every <= 0 || !previous) return false;
  return (previous.verify?.sinceFull ?? 0) >= every - 1;
}

export const FULL_VERIFY_EVERY_MAX = 1000;

/**
 * The setting as typed in the Settings dialog: a whole number from 0 (never suggest) to FULL_VERIFY_EVERY_MAX,
 * '' for the default (a patch cannot unset a number: the default is saved), anything else refused with a reason
 * (the schema in shared/app/settings.ts says the same; this is what the field says before saving).
 */
export function parseFullVerifyEvery(text: string): { value: number } | { error: string } {
  const t = text.trim();
  if (t === '') return { value: DEFAULT_FULL_VERIFY_EVERY };
  if (!/^\d+$/.test(t)) return { error: 'a whole number: 0 for never, or N for every Nth backup' };
  const n = Number(t);
  if (n > FULL_VERIFY_EVERY_MAX) return { error: `at most ${FULL_VERIFY_EVERY_MAX}` };
  return { value: n };
}
