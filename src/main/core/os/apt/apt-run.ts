import { execa } from 'execa';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { KintsugiError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/context';
import { toolError } from '../../util/run-tool';
import type { AptTarget } from './apt-target';
import { parseStatusLine, type StatusEvent } from './status-fd';

// Runs apt-get, dpkg or dpkg-query for one target: argument arrays, the target's fixed environment (nothing of the
// caller's), stdin closed. With onStatus, apt writes its machine-readable progress to fd 3 (APT::Status-Fd=3), read
// a line at a time while it runs. Output lines go to the job log as they come (an apply takes minutes). Failures
// are returned, not thrown: the caller knows what an exit code means for its command (apt-errors.ts).

export interface AptRun {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface AptRunOptions {
  onStatus?: (e: StatusEvent) => void;
  /** Send each output line to the job log (long, state-changing runs); quiet reads only log the command. */
  stream?: boolean;
}

export async function runApt(
  target: AptTarget,
  file: 'apt-get' | 'apt-mark' | 'dpkg' | 'dpkg-query',
  args: readonly string[],
  ctx: JobContext,
  opts: AptRunOptions = {},
): Promise<AptRun> {
  const full = opts.onStatus ? ['-o', 'APT::Status-Fd=3', ...args] : [...args];
  const command = [file, ...full].join(' ');
  ctx.log(`$ ${command}`, 'detail');
  const child = execa(file, full, {
    env: target.env,
    extendEnv: false,
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe', opts.onStatus ? 'pipe' : 'ignore'],
    reject: false,
    cancelSignal: ctx.signal,
    stripFinalNewline: false,
    encoding: 'utf8',
  });
  const readers: Promise<void>[] = [];
  const status = child.stdio[3] as Readable | null | undefined;
  if (opts.onStatus && status) readers.push(eachLine(status, (l) => emit(l, opts.onStatus!)));
  if (opts.stream && child.stdout) readers.push(eachLine(child.stdout, (l) => l.trim() && ctx.log(l)));
  const r = await child;
  await Promise.all(readers);
  if (r.isCanceled) throw new KintsugiError('CANCELLED', `${command} was stopped`);
  if ((r as { code?: string }).code === 'ENOENT') throw toolError(file, r);
  const stderr = String(r.stderr ?? '');
  for (const line of stderr.split('\n')) if (line.trim()) ctx.log(`${file}: ${line}`, 'detail');
  return { command, stdout: String(r.stdout ?? ''), stderr, exitCode: r.exitCode ?? -1 };
}

function emit(line: string, onStatus: (e: StatusEvent) => void): void {
  const e = parseStatusLine(line);
  if (e) onStatus(e);
}

async function eachLine(stream: Readable, fn: (line: string) => unknown): Promise<void> {
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) fn(line);
}
