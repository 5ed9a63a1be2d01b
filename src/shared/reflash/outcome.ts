import type { ReflashState } from './state';

// What the Done step (and the CLI's summary) may claim. One rule for both: "your data is back in place" only when
// a verified restore holds at least as many files as the verified backup taken before the flash.

export type RestoreOutcome =
  | { kind: 'restored'; files: number }
  | { kind: 'incomplete'; restoredFiles: number; backupFiles: number; backupPath: string }
  | { kind: 'not-restored'; backupPath: string }
  | { kind: 'no-backup' };

export function restoreOutcome(s: Pick<ReflashState, 'backup' | 'restore'>): RestoreOutcome {
  if (!s.backup) return { kind: 'no-backup' };
  const backupFiles = s.backup.manifest.files;
  if (!s.restore?.verified) return { kind: 'not-restored', backupPath: s.backup.path };
  if (s.restore.files < backupFiles)
    return { kind: 'incomplete', restoredFiles: s.restore.files, backupFiles, backupPath: s.backup.path };
  return { kind: 'restored', files: s.restore.files };
}
