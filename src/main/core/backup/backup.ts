import { mkdir, realpath, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { BackupParams } from '../../../shared/jobs';
import type { BackupManifest, BackupSummary } from '../../../shared/model';
import { canonicalWholeDisk, isBlockDevice } from '../drives/identity';
import type { JobContext } from '../jobs/context';
import { exists } from '../util/exists';
import { fsyncPath } from '../util/fsync';
import { syncFilesystem } from '../util/sync-filesystem';
import { refuseDestOnDrive } from './dest-drive';
import { assertFitFilesystem } from './dest-fs';
import { latestVerifiedBackup } from './list';
import { INDEX_NAME, MANIFEST_FORMAT, MANIFEST_NAME, writeManifest } from './manifest';
import { rsyncProgressReporter, verifyProgressReporter } from './progress-reporter';
import { DEFAULT_IO_TIMEOUT_MS, runRsync, rsyncVersion, copyArgs, stderrTail } from './run-rsync';
import { whileDeviceAnswers } from './source-stall';
import { parseRsyncStats } from './rsync-stats';
import { ensureRoom, estimateNeed, formatBytes, freeSpace, roomForChanges, roomShortfall } from './space';
import { leftBehind } from './left-behind';
import { withTreeAt, type MountPersistence } from './source';
import { withSlash } from './verify-copy';
import { acquireLock, refuseWhileLocked } from './lock';
import { describeVerify, incrementalBase, verifyCopy } from './verify-backup';
import { describePlan, planAndLink, removePlan, type LinkPlan } from './link-plan';
import { createHashPool, type HashPool } from './hash-pool';
import { poolLister } from './space';

// One backup = one new folder directly under destRoot. It is copied into "<id>.incomplete", verified, given
// its manifest and only then renamed to "<id>": a crash, a full disk or a cancel leaves an obviously unfinished
// folder that never lists as a backup and is never deleted by the app. "Verified" also means "on the disk":
// the copy is flushed before the manifest exists, so a power cut can never leave a manifest vouching for data
// that was still in the page cache.

export const INCOMPLETE_SUFFIX = '.incomplete';

export interface BackupOptions {
  /** Tests only: skip the room check to provoke ENOSPC mid-copy. */
  skipSpaceCheck?: boolean;
  now?: () => Date;
  /** Mounts a drive's / image's persistence store (default: core/persistence). */
  mount?: MountPersistence;
  /** Tests only: runs between copy and verification (e.g. to alter the copy and prove verification sees it). */
  afterCopy?: (workDir: string) => Promise<void>;
  /** Flushes the copy in workDir to disk before its manifest is written (default: syncfs of its filesystem). */
  syncTree?: (workDir: string) => Promise<void>;
  /** Tests only: a copy that wrote at least this many bytes is also flushed during the verify (64 MiB). */
  earlyFlushFrom?: number;
  /**
   * Tests only: how recently changed a file read by the verify must be to be recorded without its source's times
   * (file-index.ts RACY_WINDOW_MS, 3 s).
   */
  racyWindowMs?: number;
  /**
   * A source drive with requests waiting and none completing for this long has stopped answering: the backup
   * fails (default 60 s). Also rsync's --timeout, for sources that are folders (a network share).
   */
  ioTimeoutMs?: number;
}

export type BackupResult = BackupManifest & { path: string };

/** A copy that wrote at least this much is flushed during the verify too (see copyVerifyAndSeal). */
const EARLY_FLUSH_FROM = 64 * 1024 * 1024;

export async function runBackup(
  params: BackupParams,
  ctx: JobContext,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const destRoot = resolve(params.destRoot);
  await assertDirectory(destRoot, 'backup destination');
  const drive = (await isBlockDevice(params.source)) ? await canonicalWholeDisk(params.source) : undefined;
  if (drive) await refuseDestOnDrive(destRoot, drive);
  await assertFitFilesystem(destRoot, (await freeSpace(destRoot)).fsType);
  const stallMs = options.ioTimeoutMs ?? DEFAULT_IO_TIMEOUT_MS;
  const opts = { ...options, ioTimeoutMs: stallMs };

  return withTreeAt(
    params.source,
    {
      readOnly: true,
      includeLoop: params.includeLoop,
      mount: options.mount,
      missingCode: 'INVALID_ARGUMENT',
      role: 'backup source',
    },
    async (tree) =>
      whileDeviceAnswers(
        drive,
        {
          stallMs,
          role: 'backup source',
          leftBehind: `no backup was made; an unfinished copy (kintsugi-backup-*.incomplete) may be left in ${destRoot}: delete it to free the space`,
        },
        ctx,
        (c) =>
          backupTree(
            tree.dir,
            {
              source: tree.given,
              description: tree.description,
              destRoot,
              fullVerify: params.fullVerify === true,
            },
            c,
            opts,
          ),
      ),
  );
}

async function backupTree(
  srcDir: string,
  info: { source: string; description: string; destRoot: string; fullVerify: boolean },
  ctx: JobContext,
  options: BackupOptions,
): Promise<BackupResult> {
  const { destRoot } = info;
  await refuseNesting(srcDir, destRoot);
  // The manifest lives at the backup's root: a source file of that name would be shadowed by it.
  if (await exists(join(srcDir, MANIFEST_NAME)))
    throw new KintsugiError(
      'BACKUP_FAILED',
      `the source holds a file named ${MANIFEST_NAME} at its root, which Kintsugi reserves`,
    );

  const createdAt = (options.now ?? (() => new Date()))();
  // Where the time went, logged at the end: what a user (or the benchmark) needs to see why a backup is slow.
  // Started with the job's own clock (createdAt), so the phases add up to the backup's time.
  const phases = phaseClock();
  // One pool for the whole backup: the measuring walk's lstats and the verify's stats and hashes of the source.
  // Its workers start once, now, while the destination is looked at (a start takes 50-150 ms here under load).
  const pool = createHashPool();
  pool.stat(srcDir).catch(() => undefined);
  try {
    return await lockAndCopy(srcDir, info, createdAt, ctx, options, pool, phases);
  } finally {
    await pool.close();
  }
}

async function lockAndCopy(
  srcDir: string,
  info: { source: string; description: string; destRoot: string; fullVerify: boolean },
  createdAt: Date,
  ctx: JobContext,
  options: BackupOptions,
  pool: HashPool,
  phases: PhaseClock,
): Promise<BackupResult> {
  const { destRoot } = info;
  await refuseWhileLocked(destRoot);
  const previous = await latestVerifiedBackup(destRoot);
  const id = await freeBackupId(destRoot, createdAt);
  const release = await acquireLock(destRoot, id);
  try {
    return await copyAndVerify(srcDir, info, id, createdAt, previous, ctx, options, pool, phases);
  } finally {
    await release();
  }
}

async function copyAndVerify(
  srcDir: string,
  info: { source: string; description: string; destRoot: string; fullVerify: boolean },
  id: string,
  createdAt: Date,
  previous: BackupSummary | undefined,
  ctx: JobContext,
  options: BackupOptions,
  pool: HashPool,
  phases: PhaseClock,
): Promise<BackupResult> {
  const work = join(info.destRoot, id + INCOMPLETE_SUFFIX);
  phases.mark('prepare'); // the lock, the destination's backups listed, the pool's first worker
  const base = incrementalBase(previous, info.fullVerify, (line) => ctx.log(line));
  const copy = base
    ? await linkUnchanged(srcDir, work, base, ctx, options, pool)
    : await measureForCopy(srcDir, work, previous, info, ctx, options, pool);
  try {
    phases.mark('measure');
    return await copyVerifyAndSeal(srcDir, info, id, createdAt, previous, copy, ctx, options, pool, phases);
  } finally {
    if (copy.plan) await removePlan(copy.plan);
  }
}

/** How rsync is to make the copy: its arguments, what it will transfer, and an incremental backup's plan. */
interface CopyJob {
  args: string[];
  /** Bytes rsync is expected to transfer (the copy phase's progress total). */
  transferBytes: number;
  /** An incremental backup's plan: its unchanged files are already linked, rsync copies its list. */
  plan?: LinkPlan;
  /** What was counted before the copy: entries (should rsync's stats lack them) and regular files' bytes. */
  measured: { files: number; bytes: number };
}

/**
 * A full backup, or one a full verify is asked or due for: the source measured (the room check), then rsync over
 * the whole tree, with --link-dest against the previous backup when there is one.
 */
async function measureForCopy(
  srcDir: string,
  work: string,
  previous: BackupSummary | undefined,
  info: { description: string; destRoot: string },
  ctx: JobContext,
  options: BackupOptions,
  pool: HashPool,
): Promise<CopyJob> {
  ctx.log(`Measuring ${info.description}${previous ? `, against ${previous.manifest.id}` : ''}`);
  const need = await estimateNeed(srcDir, previous?.path, work, ctx.signal, poolLister(pool));
  if (!options.skipSpaceCheck) await ensureRoom(need, info.destRoot, 'BACKUP_NO_SPACE');
  await mkdir(work); // not recursive: a name clash fails instead of mixing two backups
  const args = copyArgs(need.source);
  if (previous) args.push(`--link-dest=${previous.path}`);
  args.push(withSlash(srcDir), withSlash(work));
  return {
    args,
    transferBytes: need.transferBytes ?? need.source.apparentBytes,
    measured: { files: need.files, bytes: need.source.fileBytes },
  };
}

/**
 * An incremental backup: the files whose source is unchanged since the previous backup verified them are
 * linked from it by the app (link-plan.ts); rsync then copies the rest and sets the folders' attributes, from the
 * plan's list. The room check counts what rsync will copy; when it fails, the new folder (folders and hard links
 * this run made, nothing else) is removed again, so nothing is left.
 */
async function linkUnchanged(
  srcDir: string,
  work: string,
  base: BackupSummary,
  ctx: JobContext,
  options: BackupOptions,
  pool: HashPool,
): Promise<CopyJob> {
  ctx.log(`Linking the files unchanged since ${base.manifest.id}`);
  await mkdir(work); // not recursive: a name clash fails instead of mixing two backups
  let plan: LinkPlan;
  try {
    plan = await planAndLink({
      source: srcDir,
      copy: work,
      previous: base,
      pool,
      signal: ctx.signal,
      scratch: work,
    });
  } catch (err) {
    if (ctx.signal.aborted)
      throw new KintsugiError(
        'CANCELLED',
        `backup stopped while linking unchanged files; ${await leftBehind(work)}`,
      );
    throw err;
  }
  ctx.log(describePlan(plan, base.manifest.id));
  if (!options.skipSpaceCheck) {
    const shortfall = roomShortfall({ requiredBytes: roomForChanges(plan) }, await freeSpace(work));
    if (shortfall) {
      await removePlan(plan);
      await rm(work, { recursive: true, force: true });
      throw new KintsugiError('BACKUP_NO_SPACE', `${dirname(work)}: ${shortfall}`);
    }
  }
  const args = copyArgs(plan);
  args.push(`--link-dest=${base.path}`, '--from0', `--files-from=${plan.listPath}`);
  args.push(withSlash(srcDir), withSlash(work));
  return { args, transferBytes: plan.copyBytes, plan, measured: { files: plan.entries, bytes: plan.bytes } };
}

async function copyVerifyAndSeal(
  srcDir: string,
  info: { source: string; description: string; destRoot: string; fullVerify: boolean },
  id: string,
  createdAt: Date,
  previous: BackupSummary | undefined,
  job: CopyJob,
  ctx: JobContext,
  options: BackupOptions,
  pool: HashPool,
  phases: PhaseClock,
): Promise<BackupResult> {
  const { destRoot } = info;
  const work = join(destRoot, id + INCOMPLETE_SUFFIX);
  const final = join(destRoot, id);
  const total = job.transferBytes;
  ctx.log(`Copying into ${work} (${formatBytes(total)} to transfer)`);
  const progress = rsyncProgressReporter(ctx, total);
  progress.phase('copy', 0);

  const copying = runRsync(job.args, {
    signal: ctx.signal,
    onProgress: (p) => progress.copy(p),
    ioTimeoutS: Math.ceil((options.ioTimeoutMs ?? DEFAULT_IO_TIMEOUT_MS) / 1000),
  });
  // Asked once the copy has started, while this thread only waits for it: a process start (~10 ms of this
  // thread) is a visible part of an unchanged backup's time when it delays the copy.
  const rsyncVersionOnce = rsyncVersion();
  rsyncVersionOnce.catch(() => undefined);
  let run;
  try {
    run = await copying;
  } catch (err) {
    if (err instanceof KintsugiError && err.code === 'CANCELLED')
      throw new KintsugiError(
        'CANCELLED',
        `backup stopped${err.detail ? ` (${err.detail})` : ''}; ${await leftBehind(work)}`,
      );
    throw err;
  }
  if (run.noSpace)
    throw new KintsugiError(
      'BACKUP_FAILED',
      `the destination ${destRoot} ran out of space (No space left on device) after ${formatBytes(run.lastProgress?.bytes ?? 0)}; ` +
        (await leftBehind(work)),
    );
  // 24 = files vanished during the copy (a live source): the verification below decides whether that matters.
  if (run.exitCode !== 0 && run.exitCode !== 24)
    throw new KintsugiError(
      'BACKUP_FAILED',
      `rsync exit ${run.exitCode}: ${stderrTail(run.stderr)}; ${await leftBehind(work)}`,
    );

  // rsync counts what it was given: the whole tree, or only an incremental backup's list (the plan counted all).
  // The byte total is the verify's to tell, below; this one only sizes its progress.
  const stats = parseRsyncStats(run.lines.join('\n'));
  const files = job.plan ? job.measured.files : (stats.files ?? job.measured.files);
  const regularFiles = job.plan ? job.plan.files : stats.regularFiles;

  await options.afterCopy?.(work);
  // A big copy's pages are written out while the verify reads them from the page cache (the flush waits on the
  // disk, the verify on the CPU): the flush after the verify, the one that counts, then has little left to do.
  // A small one is not: that flush only competed with the verify (an unchanged 1 GiB tree, 9 alternating runs
  // each: job 316 -> 298 ms, median, without it).
  const sync = options.syncTree ?? syncFilesystem;
  // Its failure is kept and reported below, not dropped: a write error the kernel reported to it (syncfs reports
  // an error once per open of the filesystem) may not be reported again to the later flush.
  const earlyFlush = (
    total >= (options.earlyFlushFrom ?? EARLY_FLUSH_FROM) ? sync(work) : Promise.resolve()
  ).then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  // The index and the manifest are written into the copy's root: put its copied times back afterwards, so a
  // later comparison of the backup with its source still itemizes nothing.
  const rootTimes = await stat(work);
  const verifying = verifyProgressReporter(ctx, job.measured.bytes, regularFiles);
  verifying.start();
  phases.mark('copy');
  const verify = await verifyCopy(
    srcDir,
    work,
    previous,
    job.plan,
    ctx,
    (b) => verifying.file(b),
    pool,
    options.racyWindowMs,
  );
  verifying.end();

  // The verification read the page cache: flush what it saw before the manifest vouches for it.
  phases.mark('verify');
  ctx.log('Flushing the copy to disk');
  try {
    const early = await earlyFlush;
    if (early) throw early;
    await sync(work);
  } catch (err) {
    throw new KintsugiError(
      'BACKUP_FAILED',
      `flushing the copy to disk failed (${(err as Error).message}); ${await leftBehind(work)}`,
    );
  }

  // The bytes of its regular files, every path counted: what the index lists, whichever way the copy was made
  // (rsync's own total also counts symlinks' targets).
  const bytes = verify.info.hashedBytes + verify.info.inheritedBytes;
  const manifest: BackupManifest = {
    formatVersion: MANIFEST_FORMAT,
    id,
    source: info.source,
    sourceDescription: info.description,
    createdAt: createdAt.toISOString(),
    finishedAt: new Date().toISOString(),
    files,
    bytes,
    verified: true,
    tools: { rsync: await rsyncVersionOnce },
    index: { name: INDEX_NAME, ...verify.index },
    verify: verify.info,
  };
  if (previous) manifest.linkDest = previous.manifest.id;
  // Writing the manifest touches the root's mtime; put back the copied one so a later re-verification of the
  // backup against its source still itemizes nothing. writeManifest syncs the manifest and the folder; the
  // restored times are synced again, then the rename, through the destination root.
  phases.mark('flush');
  const written = await writeManifest(work, manifest).catch(async (err: unknown) => {
    throw new KintsugiError(
      (err as NodeJS.ErrnoException).code === 'ENOSPC' ? 'BACKUP_NO_SPACE' : 'BACKUP_FAILED',
      `writing the manifest failed (${(err as Error).message}): no manifest vouches for the copy; ${await leftBehind(work, 'unverified')}`,
    );
  });
  await utimes(work, rootTimes.atime, rootTimes.mtime);
  await fsyncPath(work);
  await rename(work, final);
  await fsyncPath(destRoot);
  ctx.log(`Backup ${id} verified: ${files} entries, ${formatBytes(bytes)}`);
  phases.mark('manifest');
  ctx.log(describeVerify(verify.info));
  ctx.log(`Time: ${phases.text()}`);
  return { ...written, path: final };
}

/** "kintsugi-backup-2026-11-23T11-30-00Z", with "-2", "-3"... when that name (or its unfinished twin) exists. */
export async function freeBackupId(destRoot: string, at: Date): Promise<string> {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  const base = `kintsugi-backup-${stamp}`;
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!(await exists(join(destRoot, id))) && !(await exists(join(destRoot, id + INCOMPLETE_SUFFIX))))
      return id;
  }
}

async function assertDirectory(path: string, role: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new KintsugiError('INVALID_ARGUMENT', `${role} ${path} does not exist`);
  }
  if (!st.isDirectory()) throw new KintsugiError('INVALID_ARGUMENT', `${role} ${path} is not a directory`);
}

/** A destination inside the source would copy backups into themselves. */
async function refuseNesting(srcDir: string, destRoot: string): Promise<void> {
  const [s, d] = await Promise.all([realpath(srcDir), realpath(destRoot)]);
  if (d === s || d.startsWith(s.endsWith(sep) ? s : s + sep))
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `backup destination ${destRoot} is inside the source ${srcDir}`,
      {
        hint: 'Choose a destination outside the folder being backed up.',
      },
    );
}

/**
 * Durations between marks, with the CPU this process used meanwhile (all its threads: the pool's workers
 * too): "measure 0.12 s (cpu 0.15), copy 1.50 s (cpu 0.02), ...". CPU near the duration or above it says the
 * phase is bound by this process's work, not by a disk or rsync.
 */
type PhaseClock = { mark(name: string): void; text(): string };
function phaseClock(): PhaseClock {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const parts: string[] = [];
  return {
    mark(name) {
      const now = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      parts.push(
        `${name} ${((now - last) / 1000).toFixed(2)} s (cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)})`,
      );
      last = now;
      lastCpu = process.cpuUsage();
    },
    text: () => parts.join(', '),
  };
}
