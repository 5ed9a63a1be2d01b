import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { RestoreParams, RestoreResult } from '../../../shared/jobs';
import type { JobContext } from '../jobs/context';
import { syncFilesystem } from '../util/sync-filesystem';
import { latestVerifiedBackup } from './list';
import { MANIFEST_NAME, RESERVED_NAMES, readLastCheck, readManifestState } from './manifest';
import { refuseWhileLocked } from './lock';
import { verifyRestored } from './verify-restore';
import { backupUsable } from '../../../shared/backup/usable';
import { rsyncProgressReporter } from './progress-reporter';
import { canonicalWholeDisk, isBlockDevice } from '../drives/identity';
import { DEFAULT_IO_TIMEOUT_MS, copyArgs, runRsync, stderrTail } from './run-rsync';
import { whileDeviceAnswers } from './source-stall';
import { parseRsyncStats } from './rsync-stats';
import { ensureRoom, estimateNeed, formatBytes } from './space';
import { withTreeAt, type MountPersistence } from './source';
import { withSlash } from './verify-copy';

// Restore copies a verified backup into a target (a directory, or the persistence store of a freshly flashed
// drive / image) and proves the result the same way a backup is proven. It adds and overwrites but never
// deletes: whatever else the target holds (e.g. defaults shipped by the new image) stays. Like a backup, it is
// only called verified once the restored files are flushed to disk.

export interface RestoreOptions {
  mount?: MountPersistence;
  /** Tests only: skip the room check. */
  skipSpaceCheck?: boolean;
  /** Flushes the restored tree to disk before the restore reports success (default: syncfs of its filesystem). */
  syncTree?: (dir: string) => Promise<void>;
  /** A target drive with requests waiting and none completing for this long has stopped answering (60 s). */
  ioTimeoutMs?: number;
}

export async function runRestore(
  params: RestoreParams,
  outer: JobContext,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const started = performance.now();
  const backupDir = resolve(params.backupDir);
  const read = await readManifestState(backupDir);
  if (read.state !== 'ok') {
    // The backup folder (the destination root) given instead of one backup in it: name the newest to use.
    const newest = read.state === 'missing' ? await latestVerifiedBackup(backupDir) : undefined;
    throw new KintsugiError(
      'BACKUP_NOT_FOUND',
      newest
        ? `${backupDir} is a folder of backups, not one backup; the newest verified one is ${newest.path}`
        : read.state === 'corrupt'
          ? `${backupDir}: ${read.reason}; it counts as unverified and is not restored`
          : `${backupDir} has no readable ${MANIFEST_NAME}`,
    );
  }
  const { manifest } = read;
  if (manifest.id !== basename(backupDir))
    throw new KintsugiError(
      'BACKUP_NOT_FOUND',
      `${backupDir}: its manifest belongs to ${manifest.id}, the folder is unfinished or was renamed`,
    );
  await refuseWhileLocked(dirname(backupDir));
  const lastCheck = await readLastCheck(backupDir);
  if (!backupUsable(manifest, lastCheck))
    throw new KintsugiError(
      'BACKUP_NOT_FOUND',
      lastCheck?.ok === false
        ? `${backupDir} failed its last check (${lastCheck.problems[0] ?? 'damaged'})`
        : `${backupDir} was never verified`,
    );

  const target = resolve(params.target);
  await ensureTargetDir(target);
  const drive = (await isBlockDevice(target)) ? await canonicalWholeDisk(target) : undefined;
  const stallMs = options.ioTimeoutMs ?? DEFAULT_IO_TIMEOUT_MS;
  const stall = {
    stallMs,
    code: 'RESTORE_FAILED' as const,
    role: 'restore target',
    leftBehind: `the persistence store on ${target} is partly restored: restore ${backupDir} again once the drive answers`,
  };

  return withTreeAt(
    target,
    {
      readOnly: false,
      includeLoop: params.includeLoop,
      mount: options.mount,
      missingCode: 'INVALID_ARGUMENT',
      role: 'restore target',
    },
    async (tree) =>
      whileDeviceAnswers(drive, stall, outer, async (ctx) => {
        ctx.log(`Restoring ${manifest.id} into ${tree.description}`);
        const need = await estimateNeed(backupDir, undefined, tree.dir, ctx.signal);
        if (!options.skipSpaceCheck) await ensureRoom(need, tree.dir, 'RESTORE_FAILED');
        const total = need.source.apparentBytes;
        const progress = rsyncProgressReporter(ctx, total);
        progress.phase('copy', 0);

        const exclude = [...RESERVED_NAMES].map((n) => `/${n}`);
        const args = [...copyArgs(need.source), ...exclude.map((e) => `--exclude=${e}`)];
        args.push(withSlash(backupDir), withSlash(tree.dir));
        const run = await runRsync(args, {
          signal: ctx.signal,
          onProgress: (p) => progress.copy(p),
          ioTimeoutS: Math.ceil(stallMs / 1000),
        });
        if (run.noSpace)
          throw new KintsugiError(
            'RESTORE_FAILED',
            `the target ${tree.dir} ran out of space (No space left on device)`,
          );
        if (run.exitCode !== 0)
          throw new KintsugiError('RESTORE_FAILED', `rsync exit ${run.exitCode}: ${stderrTail(run.stderr)}`);
        const stats = parseRsyncStats(run.lines.join('\n'));

        await verifyRestored(backupDir, manifest, tree.dir, exclude, ctx);
        // The verification read the page cache; the user may pull the drive as soon as we say it is done.
        ctx.log('Flushing the restored files to disk');
        try {
          await (options.syncTree ?? syncFilesystem)(tree.dir);
        } catch (err) {
          throw new KintsugiError(
            'RESTORE_FAILED',
            `flushing the restored files to disk failed: ${(err as Error).message}`,
          );
        }
        const bytes = stats.totalFileSize ?? total;
        ctx.log(`Restored and verified ${stats.files ?? '?'} entries, ${formatBytes(bytes)}`);
        return {
          backupDir,
          target: params.target,
          files: stats.files ?? need.files,
          bytes,
          verified: true,
          durationMs: Math.round(performance.now() - started),
        };
      }),
  );
}

/** A missing directory target is created (its parent must exist); drives and image files must exist. */
async function ensureTargetDir(target: string): Promise<void> {
  try {
    await stat(target);
  } catch {
    // Never invent a directory where a device was meant (a typo such as /dev/sdx).
    if (target.startsWith('/dev/'))
      throw new KintsugiError('DRIVE_NOT_FOUND', `restore target ${target} does not exist`);
    try {
      await mkdir(target);
    } catch (err) {
      throw new KintsugiError(
        'INVALID_ARGUMENT',
        `restore target ${target} does not exist and cannot be created: ${(err as Error).message}`,
      );
    }
  }
}
