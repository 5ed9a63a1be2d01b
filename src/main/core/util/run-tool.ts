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

export async function runTool(
  file: string,
  args: readonly string[],
  options: Options & { cancelSignal?: AbortSignal } = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    const r = await execa(file, args, { ...options, shell: false, stripFinalNewline: true });
    logStderr(file, r.stderr);
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  } catch (err) {
    logStderr(file, (err as { stderr?: unknown }).stderr);
    throw toolError(file, err);
  }
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
