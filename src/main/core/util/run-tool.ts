import { execa, type Options, type ResultPromise } from 'execa';
import { KintsugiError } from '../../../shared/errors';
import { jobLog } from '../jobs/log-scope';

// Every subprocess goes through here: argument arrays only, never a shell, and a missing binary becomes
// TOOL_MISSING instead of a bare ENOENT. What a tool prints on stderr goes to the running job's log.

export function spawnTool<O extends Options>(
  file: string,
  args: readonly string[],
  options?: O,
): ResultPromise<O> {
  return execa(file, args, { ...options, shell: false } as O) as unknown as ResultPromise<O>;
}

export interface RunToolOptions extends Options {
  cancelSignal?: AbortSignal;
  /**
   * Stop waiting after this long: the tool is killed (SIGKILL) and the call rejects at once, even if the tool
   * cannot exit yet. execa's own `timeout` kills too but then waits for the exit, and a tool blocked in the
   * kernel on a drive that stopped answering (umount syncing it, say) exits only when the drive answers.
   */
  giveUpAfterMs?: number;
}

export async function runTool(
  file: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const { giveUpAfterMs, ...execaOptions } = options;
  try {
    const child = execa(file, args, { ...execaOptions, shell: false, stripFinalNewline: true });
    const r = giveUpAfterMs === undefined ? await child : await within(child, giveUpAfterMs, file);
    logStderr(file, r.stderr);
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  } catch (err) {
    logStderr(file, (err as { stderr?: unknown }).stderr);
    throw toolError(file, err);
  }
}

/** The child's result, or after MS a rejection (the child SIGKILLed and left to the kernel). */
function within<T>(
  child: Promise<T> & { kill(signal: NodeJS.Signals): boolean; pid?: number },
  ms: number,
  file: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.catch(() => undefined); // its eventual end is nobody's business now
      reject(
        Object.assign(
          new Error(
            `${file} did not finish within ${Math.round(ms / 1000)} s and was killed (pid ${child.pid}): it is stuck in the kernel, most likely on a drive that stopped answering`,
          ),
          { stuck: true },
        ),
      );
    }, ms);
  });
  return Promise.race([child, giveUp]).finally(() => clearTimeout(timer));
}

/** Sends a finished tool's stderr to the current job's log, a line at a time (the last 50 lines at most). */
export function logStderr(file: string, stderr: unknown): void {
  if (typeof stderr !== 'string' || !stderr.trim()) return;
  for (const line of stderr.trim().split('\n').slice(-50)) jobLog(`${file}: ${line}`);
}

export function toolError(file: string, err: unknown): Error {
  const e = err as { code?: string; isCanceled?: boolean; stderr?: unknown; shortMessage?: string };
  if (e?.code === 'ENOENT')
    return new KintsugiError('TOOL_MISSING', `${file} is not installed or not on PATH`);
  if (e?.isCanceled) return new KintsugiError('CANCELLED');
  return err instanceof Error ? err : new Error(String(err));
}

export interface ToolAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * For tools whose exit code is part of the answer (ostree, rpm-ostree): the C locale (their text is parsed), the
 * caller's cancel signal, OK_CODES beside 0 that are answers (rpm-ostree's 77: nothing changed), a missing binary
 * as TOOL_MISSING with MISSING_HINT, and any other exit turned into the caller's error by FAILURE.
 */
export async function runToolForAnswer(
  file: string,
  args: readonly string[],
  opts: {
    signal?: AbortSignal | undefined;
    okCodes?: readonly number[] | undefined;
    missingHint: string;
    failure(args: readonly string[], stderr: string): Error;
  },
): Promise<ToolAnswer> {
  let r;
  try {
    r = await spawnTool(file, args, {
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: true,
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
  } catch (err) {
    throw toolError(file, err);
  }
  if (opts.signal?.aborted) throw new KintsugiError('CANCELLED', `${file} ${args.join(' ')} was cancelled`);
  if ((r as { code?: string }).code === 'ENOENT' || r.exitCode === undefined)
    throw new KintsugiError('TOOL_MISSING', `${file} is not installed or not on PATH`, {
      hint: opts.missingHint,
    });
  const stderr = String(r.stderr ?? '');
  logStderr(file, stderr);
  const answer = { stdout: String(r.stdout ?? ''), stderr, exitCode: r.exitCode };
  if (answer.exitCode !== 0 && !(opts.okCodes ?? []).includes(answer.exitCode))
    throw opts.failure(args, stderr);
  return answer;
}
