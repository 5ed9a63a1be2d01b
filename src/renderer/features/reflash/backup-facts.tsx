import type { BackupSummary } from '../../../shared/model';
import { formatBytes } from '../../shared/format';

/**
 * What one backup holds, in a line: how much of it is new against the backup it links to, how it was verified
 * (every file read, or only the changed ones) and its last check. The same facts `kintsugi backup list` prints.
 */
export function BackupFacts({ backup }: { backup: BackupSummary }) {
  const v = backup.manifest.verify;
  const check = backup.lastCheck;
  return (
    <span className="muted block">
      {v
        ? `${formatBytes(v.newBytes)} new, ${formatBytes(v.linkedBytes)} linked · ${v.mode === 'full' ? 'every file verified' : `${v.hashedFiles} changed file(s) verified, ${v.inheritedFiles} unchanged`}`
        : 'verified by an older version (no per-file checksums)'}
      {' · '}
      {check
        ? check.ok
          ? `checked ${new Date(check.at).toLocaleString()}: ok`
          : `check ${new Date(check.at).toLocaleString()} found ${check.problemCount} problem(s), first: ${check.problems[0] ?? '?'}`
        : 'never checked'}
    </span>
  );
}
