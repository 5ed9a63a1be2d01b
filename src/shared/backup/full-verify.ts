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
