// Pure parser for the `--stats` block rsync prints at the end of a run (real or --dry-run). We run rsync
// with LC_ALL=C, so numbers use ',' as the thousands separator.

export interface RsyncStats {
  /** Entries in the file list (files, dirs, links, devices...). */
  files?: number;
  regularFiles?: number;
  dirs?: number;
  createdFiles?: number;
  transferredFiles?: number;
  /** Sum of the apparent sizes of every file in the list. */
  totalFileSize?: number;
  /** Sum of the apparent sizes of the files that are (or would be) sent: what --link-dest could not hard-link. */
  totalTransferredFileSize?: number;
}

function num(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.replace(/[^\d]/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

export function parseRsyncStats(output: string): RsyncStats {
  const get = (re: RegExp) => num(re.exec(output)?.[1]);
  const stats: RsyncStats = {
    files: get(/^Number of files: ([\d,]+)/m),
    regularFiles: get(/^Number of files: [\d,]+ \([^)]*\breg: ([\d,]+)/m),
    dirs: get(/^Number of files: [\d,]+ \([^)]*\bdir: ([\d,]+)/m),
    createdFiles: get(/^Number of created files: ([\d,]+)/m),
    transferredFiles: get(/^Number of regular files transferred: ([\d,]+)/m),
    totalFileSize: get(/^Total file size: ([\d,]+) bytes/m),
    totalTransferredFileSize: get(/^Total transferred file size: ([\d,]+) bytes/m),
  };
  for (const k of Object.keys(stats) as (keyof RsyncStats)[]) if (stats[k] === undefined) delete stats[k];
  return stats;
}

/**
 * The stdout of `rsync -n -i` (no --stats, no progress): every non-empty line is one difference between source
 * and destination ("%i %n" lines such as ">fc........ a", "*deleting b"). Deliberately not filtered by shape: an
 * unexpected line makes verification fail rather than pass.
 */
export function parseItemizeOutput(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}
