import { logStderr, spawnTool, toolError } from '../util/run-tool';
import { KintsugiError } from '../../../shared/errors';
import { createLineSplitter, parseProgressLine, type RsyncProgress } from './rsync-progress';

// Runs rsync with an argument array, streaming stdout line by line (progress2 output can be megabytes of
// repeated status lines, so it is parsed as it comes and never buffered whole).

/** The attributes every copy and every comparison preserves: hard links, ACLs, xattrs, raw uid/gid. */
export const RSYNC_ARCHIVE = ['-aHAX', '--numeric-ids'] as const;

export interface RsyncRun {
  exitCode: number;
  /** stdout lines that are not progress status lines (itemize, --stats), at most `keepLines` of them. */
  lines: string[];
  /** How many such lines there were in all (may exceed lines.length). */
  lineCount: number;
  stderr: string;
  /** rsync (or the disk) said "No space left on device". */
  noSpace: boolean;
  lastProgress?: RsyncProgress;
}

export interface RsyncRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: RsyncProgress) => void;
  keepLines?: number;
}

export async function runRsync(args: readonly string[], options: RsyncRunOptions = {}): Promise<RsyncRun> {
  const keep = options.keepLines ?? 1000;
  const lines: string[] = [];
  let lineCount = 0;
  let lastProgress: RsyncProgress | undefined;
  const splitter = createLineSplitter();
  const onLine = (line: string) => {
    const p = parseProgressLine(line);
    if (p) {
      lastProgress = p;
      options.onProgress?.(p);
      return;
    }
    if (line.trim() === '') return;
    lineCount++;
    if (lines.length < keep) lines.push(line);
  };

  // LC_ALL=C: fixed number formats for the parsers; stdin ignored so rsync never waits on a terminal.
  const child = spawnTool('rsync', args, {
    env: { LC_ALL: 'C' },
    stdin: 'ignore',
    reject: false,
    buffer: { stdout: false, stderr: true },
    maxBuffer: { stderr: 4 * 1024 * 1024 },
    cancelSignal: options.signal,
    forceKillAfterDelay: 3000,
    encoding: 'utf8',
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) onLine(line);
  });
  const result = await child;
  for (const line of splitter.end()) onLine(line);

  if (result.isCanceled || options.signal?.aborted) throw new KintsugiError('CANCELLED', 'rsync was stopped');
  if (result.exitCode === undefined) throw toolError('rsync', result);
  const stderr = String(result.stderr ?? '');
  logStderr('rsync', stderr);
  return {
    exitCode: result.exitCode,
    lines,
    lineCount,
    stderr,
    noSpace: /No space left on device|ENOSPC|Disk quota exceeded/i.test(stderr),
    lastProgress,
  };
}

/** The last few meaningful stderr lines, for an error detail. */
export function stderrTail(stderr: string, count = 5): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ');
}

/** `rsync --version` -> "3.2.7". */
export async function rsyncVersion(): Promise<string> {
  const run = await runRsync(['--version'], { keepLines: 3 });
  const m = /rsync\s+version\s+v?(\S+)/.exec(run.lines[0] ?? '');
  return m?.[1] ?? 'unknown';
}
