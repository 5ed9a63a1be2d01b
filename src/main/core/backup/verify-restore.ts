import { KintsugiError } from '../../../shared/errors';
import type { BackupManifest } from '../../../shared/model';
import type { JobContext } from '../jobs/context';
import { checkTreeAgainstIndex } from './check-tree';
import { indexOf } from './manifest';
import { verifyProgressReporter } from './progress-reporter';
import { compareTrees, describeDifferences } from './verify-copy';

// A restored tree is proven against the backup's manifest, not against the backup's current bytes: a backup
// damaged after it was made (a flipped byte, a truncated or lost file) copies its damage faithfully, and only
// the checksums recorded when it was verified can tell. Attributes are compared with the backup by rsync
// (metadata only); contents by reading the restored files once. A version-1 backup (no per-file checksums)
// falls back to rsync's checksum comparison with the backup.

export async function verifyRestored(
  backupDir: string,
  manifest: BackupManifest,
  target: string,
  exclude: string[],
  ctx: JobContext,
): Promise<void> {
  const index = indexOf({ path: backupDir, manifest });
  ctx.log(
    index
      ? `Verifying the restored files against the backup's manifest (${manifest.index!.entries} recorded checksums)`
      : 'Verifying the restored files against the backup (checksums; the backup has no per-file checksums)',
  );
  // The phase starts with rsync's comparison (no per-file figures from it: a version-1 backup's whole verify).
  const progress = verifyProgressReporter(ctx, manifest.bytes, index?.entries);
  progress.start();
  const cmp = await compareTrees(backupDir, target, {
    signal: ctx.signal,
    extraIsDifference: false,
    checksum: index === undefined,
    exclude,
  });
  if (!cmp.equal)
    throw new KintsugiError(
      'BACKUP_VERIFY_FAILED',
      `restored files differ from ${backupDir}: ${describeDifferences(cmp)}`,
    );
  if (!index) return progress.end();
  const check = await checkTreeAgainstIndex(target, index, {
    extraIsProblem: false,
    signal: ctx.signal,
    onFile: (b) => progress.file(b),
  });
  if (check.problemCount > 0)
    throw new KintsugiError(
      'BACKUP_VERIFY_FAILED',
      `the restored files do not match ${manifest.id}'s manifest: ${check.problemCount} problem(s), first: ${check.problems.join('; ')}`,
      {
        hint: `The backup itself is damaged or was changed after it was made: run kintsugi backup check ${backupDir}, and restore an older backup if it fails.`,
      },
    );
  progress.end();
}
