import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { BackupSummary, BackupVerifyInfo } from '../../../shared/model';
import type { JobContext } from '../jobs/context';
import { checksumPass, type ChecksumPassResult } from './checksum-pass';
import type { HashPool } from './hash-pool';
import type { LinkPlan } from './link-plan';
import { listedPass } from './listed-pass';
import { checkTree } from './tree-check';
import { leftBehind } from './left-behind';
import { displayPath, fsPath, type BytePath } from './byte-path';
import { RACY_WINDOW_MS } from './file-index';
import { INDEX_NAME, RESERVED_NAMES, headBound } from './manifest';
import { RSYNC_ARCHIVE, runRsync, stderrTail } from './run-rsync';
import { formatBytes } from './space';
import { compareTrees, describeDifferences, withSlash, type CompareResult } from './verify-copy';

// A fresh copy proven equal to its source, in passes that each read only what they must:
// 1. rsync's dry run without --checksum: names, types, modes, owners, times, sizes, hard-link groups, ACLs,
//    xattrs, symlink targets (metadata only: no file is read). A full verify runs it over the whole tree; an
//    incremental one only over what rsync was given (the plan's list: link-plan.ts), while the names on each
//    side are compared folder by folder (names-check.ts);
// 2. the checksum pass: contents, file by file, writing the per-file index. Full (checksum-pass.ts): every file
//    is read. Incremental (listed-pass.ts): the files the plan linked keep the checksums it carried, the ones
//    rsync copied are read. A full verify is asked for, or due because the previous backup was made by an older
//    version (incrementalBase below).

export interface VerifiedCopy {
  index: { sha256: string; entries: number; bytes: number };
  info: BackupVerifyInfo;
}

/**
 * The previous backup an incremental backup may carry checksums from, or undefined for a full one (none, a
 * full verify asked for, or an older version's manifest: no index, format 1; an index its head does not bind,
 * format 2: head and index could have been edited together, manifest.ts).
 */
export function incrementalBase(
  previous: BackupSummary | undefined,
  fullAsked: boolean,
  log: (line: string) => void,
): BackupSummary | undefined {
  if (!previous || fullAsked) return undefined;
  if (previous.manifest.index && headBound(previous.manifest)) return previous;
  log(
    previous.manifest.index
      ? `${previous.manifest.id}'s manifest does not bind its per-file checksums (an older version made it): every file is verified this once`
      : `${previous.manifest.id} has no per-file checksums (an older version made it): every file is verified this once`,
  );
  return undefined;
}

export async function verifyCopy(
  src: string,
  work: string,
  previous: BackupSummary | undefined,
  /** An incremental backup's plan (its unchanged files already linked); none: a full verify. */
  plan: LinkPlan | undefined,
  ctx: JobContext,
  onBytes: (bytes: number) => void,
  pool: HashPool,
  /** Tests only: the racily-changed window (file-index.ts RACY_WINDOW_MS). */
  racyWindowMs?: number,
): Promise<VerifiedCopy> {
  ctx.log(
    plan
      ? `Verifying the copy against the source: the ${plan.copyFiles} file(s) rsync copied are read; the ${plan.linkedFiles} linked from ${previous!.manifest.id}, whose source is unchanged (size, mtime, ctime, inode), keep their recorded checksums`
      : 'Verifying the copy against the source: every file (full verify)',
  );
  // Written beside the copy, moved in once rsync's comparison is over: a file appearing in the copy's root
  // while rsync compares it would show as a changed folder time.
  const indexPath = `${work}.${INDEX_NAME}.tmp`;
  try {
    const exclude = [...RESERVED_NAMES].map((n) => `/${n}`);
    const passes = { indexPath, ctx, onBytes, pool, exclude, racyWindowMs };
    const r = plan
      ? await listedVerify(src, work, previous!, plan, passes)
      : await fullVerify(src, work, previous, passes);
    if (r.racyFiles > 0)
      ctx.log(
        `${r.racyFiles} file(s) had changed less than ${(racyWindowMs ?? RACY_WINDOW_MS) / 1000} s before they were read: recorded without their source's times, so the next backup reads them again`,
      );
    await rename(indexPath, join(work, INDEX_NAME));
    if (r.mismatchCount > 0)
      throw new KintsugiError(
        'BACKUP_VERIFY_FAILED',
        `${r.mismatchCount} file(s) differ from the source, first: ${r.mismatches.join('; ')}; ${await leftBehind(work, 'unverified')}`,
      );
    return { index: r.index, info: verifyInfo(r, !plan, previous) };
  } catch (err) {
    await rm(indexPath, { force: true }); // a partial list of ours, never a backup's
    if (ctx.signal.aborted)
      throw new KintsugiError(
        'CANCELLED',
        `backup stopped while verifying; ${await leftBehind(work, 'unverified')}`,
      );
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new KintsugiError(
        'BACKUP_NO_SPACE',
        `the destination filled up while writing the manifest's file list (${INDEX_NAME}): no manifest was written, so the copy does not count as a backup; ${await leftBehind(work, 'unverified')}`,
      );
    throw err;
  }
}

/**
 * Every file read, and rsync's metadata pass over the whole tree with --delete beside it (another core; both
 * only read). Both are awaited before either outcome is acted on.
 */
/** What both kinds of verify take: where the index goes, the job, the pool, rsync's excludes. */
interface PassSetup {
  indexPath: string;
  ctx: JobContext;
  onBytes: (bytes: number) => void;
  pool: HashPool;
  exclude: string[];
  racyWindowMs: number | undefined;
}

async function fullVerify(
  src: string,
  work: string,
  previous: BackupSummary | undefined,
  { indexPath, ctx, onBytes, pool, exclude, racyWindowMs }: PassSetup,
): Promise<ChecksumPassResult> {
  const pass = () =>
    checksumPass({
      source: src,
      copy: work,
      indexPath,
      previous,
      signal: ctx.signal,
      onFile: onBytes,
      pool,
      racyWindowMs,
    });
  const [cmpDone, passDone] = await Promise.allSettled([
    compareTrees(src, work, { signal: ctx.signal, extraIsDifference: true, checksum: false, exclude }),
    pass(),
  ]);
  if (cmpDone.status === 'rejected') throw cmpDone.reason;
  await failOnDifferences(cmpDone.value, work);
  if (passDone.status === 'rejected') throw passDone.reason;
  // rsync's --delete pass has seen any entry on one side only; the walk's own finding is not dropped.
  await failOnNames(passDone.value, work);
  return againIfStale(src, work, ctx, indexPath, passDone.value, pass);
}

/**
 * A copy the app built from its plan (link-plan.ts): the names of both trees compared folder by folder
 * (tree-check.ts), rsync's
 * metadata pass over the plan's list (the root, the folders, the other entries and the files rsync copied: a
 * linked file is the previous backup's inode, whose attributes were proven equal to this unchanged source when
 * it was verified), and the checksum pass over the plan, all three at once. Stale links copied again are
 * followed by a second metadata pass: that copy touches folders.
 */
async function listedVerify(
  src: string,
  work: string,
  previous: BackupSummary,
  plan: LinkPlan,
  { indexPath, ctx, onBytes, pool, exclude, racyWindowMs }: PassSetup,
): Promise<ChecksumPassResult> {
  const metadata = () =>
    compareTrees(src, work, {
      signal: ctx.signal,
      extraIsDifference: false,
      checksum: false,
      exclude,
      filesFrom: plan.listPath,
    });
  const pass = () =>
    listedPass({
      source: src,
      copy: work,
      previous: previous.path,
      planPath: plan.planPath,
      indexPath,
      pool,
      signal: ctx.signal,
      onFile: onBytes,
      racyWindowMs,
    });
  const [treeDone, cmpDone, passDone] = await Promise.allSettled([
    checkTree(pool, { copy: work, source: src }, RESERVED_NAMES, ctx.signal),
    metadata(),
    pass(),
  ]);
  if (treeDone.status === 'rejected') throw treeDone.reason;
  if (cmpDone.status === 'rejected') throw cmpDone.reason;
  if (passDone.status === 'rejected') throw passDone.reason;
  await failOnNames({ nameProblems: treeDone.value.problems, nameProblemCount: treeDone.value.count }, work);
  const r = await againIfStale(src, work, ctx, indexPath, passDone.value, pass);
  await failOnDifferences(r === passDone.value ? cmpDone.value : await metadata(), work);
  return r;
}

/**
 * Files rsync linked because size and mtime matched, whose ctime said they changed and whose bytes confirm it:
 * copied again (a new file: the previous backup keeps its bytes), then the pass runs again. Any other mismatch
 * is the verify's failure to report, not repaired.
 */
async function againIfStale(
  src: string,
  work: string,
  ctx: JobContext,
  indexPath: string,
  r: ChecksumPassResult,
  again: () => Promise<ChecksumPassResult>,
): Promise<ChecksumPassResult> {
  if (r.staleLinks.length === 0 || r.staleLinks.length !== r.mismatchCount) return r;
  ctx.log(
    `${r.staleLinks.length} file(s) changed in the source although size and mtime did not (their ctime did): copying them again, e.g. ${r.staleLinks.slice(0, 3).map(displayPath).join(', ')}`,
  );
  await copyAgain(src, work, r.staleLinks, ctx.signal);
  await unlink(indexPath);
  return again();
}

async function failOnNames(
  r: Pick<ChecksumPassResult, 'nameProblems' | 'nameProblemCount'>,
  work: string,
): Promise<void> {
  if (r.nameProblemCount > 0)
    throw new KintsugiError(
      'BACKUP_VERIFY_FAILED',
      `${r.nameProblemCount} difference(s) in which entries exist, first: ${r.nameProblems.join('; ')}; ${await leftBehind(work, 'unverified')}`,
    );
}

async function failOnDifferences(cmp: CompareResult, work: string): Promise<void> {
  if (!cmp.equal)
    throw new KintsugiError(
      'BACKUP_VERIFY_FAILED',
      `${describeDifferences(cmp)}; ${await leftBehind(work, 'unverified')}`,
    );
}

function verifyInfo(
  r: ChecksumPassResult,
  full: boolean,
  previous: BackupSummary | undefined,
): BackupVerifyInfo {
  return {
    mode: full ? 'full' : 'incremental',
    hashedFiles: r.hashedFiles,
    hashedBytes: r.hashedBytes,
    inheritedFiles: r.inheritedFiles,
    inheritedBytes: r.inheritedBytes,
    newBytes: r.newBytes,
    linkedBytes: r.linkedBytes,
    sinceFull: full ? 0 : (previous?.manifest.verify?.sinceFull ?? 0) + 1,
  };
}

/** One line for the log: what was read and what was inherited. */
export function describeVerify(v: BackupVerifyInfo): string {
  return (
    `${v.mode === 'full' ? 'Full' : 'Incremental'} verify: ${v.hashedFiles} file(s) read and checked (${formatBytes(v.hashedBytes)}), ` +
    `${v.inheritedFiles} inherited unchanged from the previous backup (${formatBytes(v.inheritedBytes)}); ` +
    `${formatBytes(v.newBytes)} new, ${formatBytes(v.linkedBytes)} linked`
  );
}

/** Copies the named files again, whatever their times say; rsync writes a new file, so the link is broken and the previous backup keeps its bytes. */
async function copyAgain(src: string, work: string, paths: BytePath[], signal: AbortSignal): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kintsugi-recopy-'));
  try {
    const list = join(dir, 'files');
    // The names' own bytes, NUL-separated (--from0): rsync reads them as they are, whatever their encoding.
    // "." too: writing a file at the root changes the root's mtime, and rsync puts back the times only of the
    // folders it is given (a file's parents below the root are implied and fixed; the root is not). The
    // metadata comparison that follows would see it (it runs after this copy: verify-backup's incrementalPass).
    await writeFile(list, Buffer.concat(['.', ...paths].map((p) => fsPath(`${p}\0`))));
    const run = await runRsync(
      [
        ...RSYNC_ARCHIVE,
        '--ignore-times',
        '--from0',
        `--files-from=${list}`,
        withSlash(src),
        withSlash(work),
      ],
      { signal },
    );
    if (run.exitCode !== 0)
      throw new KintsugiError(
        'BACKUP_FAILED',
        `copying changed files again failed: rsync exit ${run.exitCode}: ${stderrTail(run.stderr)}`,
      );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
