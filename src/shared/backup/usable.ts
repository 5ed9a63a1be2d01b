import type { BackupCheckRecord, BackupManifest } from '../model';

// The one rule for "this backup may be relied on" (as --link-dest base, to unlock a flash, to restore): a
// manifest that was read and says verified, and no later check that found it damaged. A folder whose manifest
// is missing or does not parse has no manifest here, so it is never usable without a typed skip.

export function backupUsable(manifest: BackupManifest | undefined, lastCheck?: BackupCheckRecord): boolean {
  return manifest?.verified === true && lastCheck?.ok !== false;
}
