import { basename, dirname, resolve } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { BackupCheckRecord } from '../../../shared/model';
import type { BackupCheckResult } from '../../../shared/backup/contract';
import type { JobContext } from '../jobs/context';
import { checkTreeAgainstIndex } from './check-tree';
import { refuseWhileLocked } from './lock';
import { MANIFEST_NAME, indexOf, readManifestState, writeLastCheck } from './manifest';
import { verifyProgressReporter } from './progress-reporter';

// `kintsugi backup check DIR`: a backup against its own manifest, without restoring: the index's own sha256,
// then every file listed (present, same size, same sha256) and no file unlisted. The outcome is kept beside
// the manifest (kintsugi-backup.check.json): a failed check makes the backup unusable (shared/backup/usable.ts).

export type { BackupCheckResult };

export async function checkBackup(
  dir: string,
  opts: {
    signal?: AbortSignal;
    now?: () => Date;
    record?: boolean;
    /** The verify phase's events: bytes checked of the backup's bytes, speed, ETA. */
    progress?: JobContext['progress'];
  } = {},
): Promise<BackupCheckResult> {
  const path = resolve(dir);
  await refuseWhileLocked(dirname(path));
  const read = await readManifestState(path);
  if (read.state === 'missing')
    throw new KintsugiError(
      'BACKUP_NOT_FOUND',
      `${path} has no ${MANIFEST_NAME}: it is not a backup, or its manifest was lost`,
      {
        hint: 'Name one backup folder (kintsugi-backup-...); a folder without a manifest cannot be checked.',
      },
    );
  if (read.state === 'corrupt')
    throw new KintsugiError(
      'BACKUP_VERIFY_FAILED',
      `${path}: ${read.reason}; the backup cannot be checked and counts as unverified`,
    );
  const { manifest } = read;
  if (manifest.id !== basename(path))
    throw new KintsugiError('BACKUP_NOT_FOUND', `${path}: its manifest belongs to ${manifest.id}`);
  const index = indexOf({ path, manifest });
  if (!index)
    throw new KintsugiError(
      'BACKUP_VERIFY_FAILED',
      `${manifest.id} was made by an older version and records no per-file checksums: it cannot be checked on its own`,
      { hint: 'Its next backup verifies every file; restoring it compares the copy with it by checksum.' },
    );
  const progress = verifyProgressReporter(
    { progress: opts.progress ?? (() => {}) },
    manifest.bytes,
    index.entries,
  );
  progress.start();
  const check = await checkTreeAgainstIndex(path, index, {
    extraIsProblem: true,
    signal: opts.signal,
    onFile: (b) => progress.file(b),
  });
  progress.end();
  const record: BackupCheckRecord = {
    at: (opts.now ?? (() => new Date()))().toISOString(),
    ok: check.problemCount === 0,
    files: check.files,
    problems: check.problems,
    problemCount: check.problemCount,
  };
  // Recorded where the caller may write (a backup the helper made is root's): the outcome stands either way.
  let recorded = false;
  if (opts.record !== false)
    recorded = await writeLastCheck(path, record).then(
      () => true,
      () => false,
    );
  return { ...record, path, id: manifest.id, bytes: check.bytes, recorded };
}
