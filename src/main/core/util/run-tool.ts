import { execa, type Options, type ResultPromise } from 'execa';
import { KintsugiError } from '../../../shared/errors';

// Every subprocess goes through here: argument arrays only, never a shell, and a missing binary becomes
// TOOL_MISSING instead of a bare ENOENT.

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
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  } catch (err) {
    throw toolError(file, err);
  }
}

export function toolError(file: string, err: unknown): Error {
  const e = err as { code?: string; isCanceled?: boolean; stderr?: unknown; shortMessage?: string };
  if (e?.code === 'ENOENT')
    return new KintsugiError('TOOL_MISSING', `${file} is not installed or not on PATH`);
  if (e?.isCanceled) return new KintsugiError('CANCELLED');
  return err instanceof Error ? err : new Error(String(err));
}
