import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { BackupSummary, BackupVerifyInfo } from '../../../shared/model';
import type { JobContext } from '../jobs/context';
import { checksumPass, type ChecksumPassOptions, type ChecksumPassResult } from './checksum-pass';
import { streamedFilesFromList } from './files-from-list';
import type { HashPool } from './hash-pool';
import { leftBehind } from './left-behind';
import { displayPath, fsPath, type BytePath } from './byte-path';
import { INDEX_NAME, RESERVED_NAMES, headBound } from './manifest';
import { RSYNC_ARCHIVE, runRsync, stderrTail } from './run-rsync';
import { formatBytes } from './space';
import { compareTrees, describeDifferences, withSlash, type CompareResult } from './verify-copy';

// A fresh copy proven equal to its source, in passes that each read only what they must:
// 1. rsync's dry run without --checksum: names, types, modes, owners, times, sizes, hard-link groups, ACLs,
//    xattrs, symlink targets (metadata only: no file is read). A full verify runs it over the whole tree; an
//    incremental one only over what the previous verified backup does not prove (incrementalPass below);
// 2. the checksum pass (checksum-pass.ts): contents, file by file, writing the per-file index; files linked
//    from the previous verified backup with an unchanged source inherit its checksums (incremental), unless a
//    full verify was asked for or the previous backup was made by an older version: no index (format 1), or an
//    index its head does not bind (format 2: head and index could have been edited together, manifest.ts).

export interface VerifiedCopy {
  index: { sha256: string; entries: number; bytes: number };
  info: BackupVerifyInfo;
}

export async function verifyCopy(
  src: string,
  work: string,
  previous: BackupSummary | undefined,
  fullAsked: boolean,
  ctx: JobContext,
  onBytes: (bytes: number) => void,
  pool: HashPool,
): Promise<VerifiedCopy> {
  const unbound = previous !== undefined && (!previous.manifest.index || !headBound(previous.manifest));
  const full = fullAsked || !previous || unbound;
  if (!fullAsked && unbound)
    ctx.log(
      previous.manifest.index
        ? `${previous.manifest.id}'s manifest does not bind its per-file checksums (an older version made it): every file is verified this once`
        : `${previous.manifest.id} has no per-file checksums (an older version made it): every file is verified this once`,
    );
  ctx.log(
    full
      ? 'Verifying the copy against the source: every file (full verify)'
      : `Verifying the copy against the source: files copied now are read; files linked from ${previous!.manifest.id} whose source is unchanged (size, mtime, ctime, inode) keep their recorded checksums`,
  );
  try {
    // Written beside the copy, moved in once rsync's comparison is over: a file appearing in the copy's root
    // while rsync compares it would show as a changed folder time.
    const indexPath = `${work}.${INDEX_NAME}.tmp`;
    const pass = (lists: Pick<ChecksumPassOptions, 'onHashed' | 'onOther'> = {}) =>
      checksumPass({
        ...lists,
        source: src,
        copy: work,
        indexPath,
        previous,
        full,
        signal: ctx.signal,
        onFile: onBytes,
        pool,
      });
    const exclude = [...RESERVED_NAMES].map((n) => `/${n}`);
    const againIfStale = async (
      r: ChecksumPassResult,
      again: () => Promise<ChecksumPassResult>,
    ): Promise<ChecksumPassResult> => {
      if (r.staleLinks.length === 0 || r.staleLinks.length !== r.mismatchCount) return r;
      // rsync linked them because size and mtime matched; their ctime said they changed, their bytes confirm it.
      ctx.log(
        `${r.staleLinks.length} file(s) changed in the source although size and mtime did not (their ctime did): copying them again, e.g. ${r.staleLinks.slice(0, 3).map(displayPath).join(', ')}`,
      );
      await copyAgain(src, work, r.staleLinks, ctx.signal);
      await unlink(indexPath);
      return again();
    };
    let r: ChecksumPassResult;
    if (full) {
      // Both only read: rsync's metadata pass over the whole tree runs beside the checksum pass (another core).
      // Both are awaited before either outcome is acted on.
      const [cmpDone, passDone] = await Promise.allSettled([
        compareTrees(src, work, { signal: ctx.signal, extraIsDifference: true, checksum: false, exclude }),
        pass(),
      ]);
      if (cmpDone.status === 'rejected') throw cmpDone.reason;
      await failOnDifferences(cmpDone.value, work);
      if (passDone.status === 'rejected') throw passDone.reason;
      // rsync's --delete pass has seen any entry on one side only; the walk's own finding is not dropped.
      await failOnNames(passDone.value, work);
      r = await againIfStale(passDone.value, () => pass());
    } else {
      r = await incrementalPass(src, work, ctx, (lists) => pass(lists), againIfStale, exclude);
    }
    await rename(indexPath, join(work, INDEX_NAME));
    if (r.mismatchCount > 0)
      throw new KintsugiError(
        'BACKUP_VERIFY_FAILED',
        `${r.mismatchCount} file(s) differ from the source, first: ${r.mismatches.join('; ')}; ${await leftBehind(work, 'unverified')}`,
      );
    return { index: r.index, info: verifyInfo(r, full, previous) };
  } catch (err) {
    await rm(`${work}.${INDEX_NAME}.tmp`, { force: true }); // a partial list of ours, never a backup's
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

type Lists = Pick<ChecksumPassOptions, 'onHashed' | 'onOther'>;

/**
 * An incremental verify: rsync's metadata comparison sees only what the previous verified backup does not
 * already prove. The checksum pass's walk (copy-walk.ts) compares which entries exist (no --delete pass) and
 * lists every entry that is not a regular file; the pass reads every file it cannot inherit and lists it. A
 * file inherited is the previous backup's inode with an unchanged source (checksum-pass.ts): its bytes and
 * attributes were compared with this source when that backup was verified, and nothing about the source
 * changed since (its ctime). rsync runs from the start of the pass, reading the list on its stdin as the pass
 * makes it (files-from-list.ts `streamedFilesFromList`), and ends soon after the pass. When stale links are
 * copied again, that run is dropped and another one sees everything after that copy (it touches folders: their
 * times must be compared as the copy leaves them).
 */
async function incrementalPass(
  src: string,
  work: string,
  ctx: JobContext,
  pass: (lists: Lists) => Promise<ChecksumPassResult>,
  againIfStale: (
    r: ChecksumPassResult,
    again: () => Promise<ChecksumPassResult>,
  ) => Promise<ChecksumPassResult>,
  exclude: string[],
): Promise<ChecksumPassResult> {
  const runs: { list: ReturnType<typeof streamedFilesFromList>; result: Promise<CompareResult> }[] = [];
  const listed = () => {
    const list = streamedFilesFromList();
    const result = compareTrees(src, work, {
      signal: ctx.signal,
      extraIsDifference: false,
      checksum: false,
      exclude,
      feedFilesFrom: (stdin) => list.feed(stdin),
    });
    result.catch(() => undefined); // awaited below, or settled in finally
    runs.push({ list, result });
    return pass({ onOther: (p) => list.add(p), onHashed: (p) => list.add(p) });
  };
  try {
    const r = await againIfStale(await listed(), async () => {
      await runs[0]!.list.abort();
      await runs[0]!.result.catch(() => undefined);
      return listed();
    });
    await failOnNames(r, work);
    const last = runs.at(-1)!;
    await last.list.close();
    await failOnDifferences(await last.result, work);
    return r;
  } finally {
    // No rsync left reading the copy once this returns.
    for (const run of runs) await run.list.abort();
    await Promise.all(runs.map((run) => run.result.catch(() => undefined)));
  }
}

async function failOnNames(r: ChecksumPassResult, work: string): Promise<void> {
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
