import type { Writable } from 'node:stream';
import { logStderr, spawnTool, toolError } from '../util/run-tool';
import { KintsugiError } from '../../../shared/errors';
import { createLineSplitter, parseProgressLine, type RsyncProgress } from './rsync-progress';

// Runs rsync with an argument array, streaming stdout line by line (progress2 output can be megabytes of
// repeated status lines, so it is parsed as it comes and never buffered whole).

/** The attributes every copy and every comparison preserves: hard links, ACLs, xattrs, raw uid/gid. */
export const RSYNC_ARCHIVE = ['-aHAX', '--numeric-ids'] as const;

/**
 * --sparse when the tree being copied has a file with holes (space.ts isSparse, counted by the measuring walk),
 * so the copy keeps them. Not otherwise: rsync then scans every byte written for zeros (1 GiB of models: ~0.7 s
 * of CPU, a quarter of the copy here) and would punch holes into files that had none.
 */
function sparseArgs(tree: { sparseFiles: number }): string[] {
  return tree.sparseFiles > 0 ? ['--sparse'] : [];
}

/** A backup's or a restore's copy of a tree: the archive attributes, holes kept, progress and stats reported. */
export function copyArgs(tree: { sparseFiles: number }): string[] {
  return [...RSYNC_ARCHIVE, ...sparseArgs(tree), '--no-inc-recursive', '--info=progress2', '--stats'];
}

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
  /** rsync's --timeout: it gives up after this many seconds without data moving (a stalled network share). */
  ioTimeoutS?: number;
  /**
   * Given rsync's stdin once it runs (for `--files-from=-`): the caller writes to it and ends it. Without this,
   * stdin is closed, so rsync never waits on a terminal.
   */
  feed?: (stdin: Writable) => void;
}

/** After a cancel, how long rsync has to exit before it is abandoned (SIGKILLed, no longer waited for). */
const ABANDON_AFTER_CANCEL_MS = 2_000;

/** A default deadline for copies: long enough for a slow drive, short enough that a dead one is noticed. */
export const DEFAULT_IO_TIMEOUT_MS = 60_000;

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

  // LC_ALL=C: fixed number formats for the parsers; stdin closed (unless fed) so rsync never waits on a terminal.
  const fullArgs = options.ioTimeoutS ? [`--timeout=${options.ioTimeoutS}`, ...args] : args;
  const child = spawnTool('rsync', fullArgs, {
    env: { LC_ALL: 'C' },
    stdin: options.feed ? 'pipe' : 'ignore',
    reject: false,
    buffer: { stdout: false, stderr: true },
    maxBuffer: { stderr: 4 * 1024 * 1024 },
    cancelSignal: options.signal,
    forceKillAfterDelay: 1000,
    encoding: 'utf8',
  });
  if (options.feed && child.stdin) {
    // rsync exiting early (an error) closes the pipe: the write error is its exit code's to report, not ours.
    child.stdin.on('error', () => undefined);
    options.feed(child.stdin);
  }
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) onLine(line);
  });
  const result = await Promise.race([child, abandonedAfterCancel(child, options.signal)]);
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

/**
 * Rejects once rsync ignored a cancel for ABANDON_AFTER_CANCEL_MS: it is blocked in the kernel on a drive that
 * stopped answering, and would make the job wait for as long as the drive does. It is killed and left behind.
 */
function abandonedAfterCancel(
  child: { kill(signal: NodeJS.Signals): boolean; pid?: number | undefined },
  signal: AbortSignal | undefined,
): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    const onAbort = () => {
      setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new KintsugiError(
            'CANCELLED',
            `rsync (pid ${child.pid}) did not stop within ${ABANDON_AFTER_CANCEL_MS / 1000} s: it is stuck in the kernel on a drive that stopped answering and ends when the drive answers or is removed`,
          ),
        );
      }, ABANDON_AFTER_CANCEL_MS).unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
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
