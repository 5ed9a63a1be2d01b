import { decodeRsyncName, displayPath } from './byte-path';
import { RSYNC_ARCHIVE, runRsync, stderrTail } from './run-rsync';
import { parseItemizeOutput } from './rsync-stats';

// Proof that a copy equals its source: a checksum dry run (`rsync -c -n -i`) that itemizes nothing. Every
// attribute the copy preserves (content by checksum, mode, owner, times, hard-link groups, ACLs, xattrs,
// symlink targets) shows up as an itemized line when it differs.

export interface CompareOptions {
  signal?: AbortSignal;
  /** Also report entries that exist only in the copy (a backup must mirror its source; a restore need not). */
  extraIsDifference: boolean;
  /** Compare contents by checksum (default). Off: metadata only (size, times...), no file is read. */
  checksum?: boolean;
  /** Anchored rsync exclude patterns (e.g. "/kintsugi-backup.json"); excluded entries are never deleted or compared. */
  exclude?: string[];
  /**
   * Compare only the entries a file lists (NUL-separated byte paths relative to the roots, "." for the roots
   * themselves), not recursing into folders; extraIsDifference must be false (the caller checks which entries
   * exist: tree-check.ts).
   */
  filesFrom?: string;
}

export interface CompareResult {
  equal: boolean;
  /** The first itemized differences ("%i %n" lines), their names printable as check's are (displayPath). */
  differences: string[];
  differenceCount: number;
  /** rsync itself failed (unreadable files...): the trees could not be proven equal. */
  error?: string;
}

export async function compareTrees(
  source: string,
  copy: string,
  options: CompareOptions,
): Promise<CompareResult> {
  const args: string[] = [...RSYNC_ARCHIVE, '--dry-run', '--itemize-changes', '--no-inc-recursive'];
  if (options.checksum !== false) args.push('--checksum');
  if (options.extraIsDifference) args.push('--delete');
  if (options.filesFrom) args.push('--from0', `--files-from=${options.filesFrom}`);
  for (const pattern of options.exclude ?? []) args.push(`--exclude=${pattern}`);
  args.push(withSlash(source), withSlash(copy));
  const run = await runRsync(args, {
    signal: options.signal,
    keepLines: 50,
  });
  // rsync wrote each unprintable byte of a name as \#ooo: decoded to the name's bytes, then printed the one way
  // every name is printed (a name rsync shows as "caf\#303\#251" reads "café"; one that is not UTF-8 as \xNN).
  const differences = parseItemizeOutput(run.lines.join('\n')).map((l) => displayPath(decodeRsyncName(l)));
  const result: CompareResult = {
    equal: run.exitCode === 0 && run.lineCount === 0,
    differences,
    differenceCount: run.lineCount,
  };
  if (run.exitCode !== 0) result.error = `rsync exit ${run.exitCode}: ${stderrTail(run.stderr)}`;
  return result;
}

/** rsync copies the contents of "dir/", the directory itself for "dir". */
export function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** A short human detail: "3 differences, e.g. >fc........ a; *deleting b". */
export function describeDifferences(r: CompareResult, max = 5): string {
  const shown = r.differences.slice(0, max).join('; ');
  const parts: string[] = [];
  if (r.differenceCount > 0) parts.push(`${r.differenceCount} difference(s), first: ${shown}`);
  if (r.error) parts.push(r.error);
  return parts.join('; ') || 'no difference';
}
