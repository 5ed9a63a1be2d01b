import { KintsugiError } from '../../../../shared/errors';
import { logStderr, spawnTool, toolError } from '../../util/run-tool';

// Every ostree call of the ostree backend goes through here: an argument array, the C locale (the text of
// `ostree admin status` is parsed, and its words must not be translated), the caller's cancel signal, and a failure
// turned into an error that says which command failed and ostree's own last line.

export interface OstreeRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface OstreeCallOptions {
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (1 from `show --print-metadata-key` on a missing key). */
  okCodes?: readonly number[];
}

/** What ostree prints when libcurl/libsoup cannot reach the server (ostree 2022.7: "[7] Couldn't connect to server"). */
const UNREACHABLE =
  /Couldn't connect|Could not connect|Connection refused|Couldn't resolve|Could not resolve|Timeout was reached|Failed to connect|Network is unreachable|No route to host/i;

export async function ostree(args: readonly string[], opts: OstreeCallOptions = {}): Promise<OstreeRun> {
  let r;
  try {
    r = await spawnTool('ostree', args, {
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: true,
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
  } catch (err) {
    throw toolError('ostree', err);
  }
  if (opts.signal?.aborted) throw new KintsugiError('CANCELLED', `ostree ${args.join(' ')} was cancelled`);
  if ((r as { code?: string }).code === 'ENOENT' || r.exitCode === undefined)
    throw new KintsugiError('TOOL_MISSING', 'ostree is not installed or not on PATH', {
      hint: 'Install ostree (Debian: apt install ostree), then retry.',
    });
  const stderr = String(r.stderr ?? '');
  logStderr('ostree', stderr);
  const run = { stdout: String(r.stdout ?? ''), stderr, exitCode: r.exitCode };
  if (run.exitCode !== 0 && !(opts.okCodes ?? []).includes(run.exitCode)) throw ostreeFailure(args, stderr);
  return run;
}

export function ostreeFailure(args: readonly string[], stderr: string): KintsugiError {
  const last = lastLine(stderr);
  const detail = `ostree ${args.join(' ')} failed: ${last}`;
  return new KintsugiError(
    UNREACHABLE.test(stderr) ? 'OS_IMAGE_REMOTE_UNREACHABLE' : 'OS_OSTREE_FAILED',
    detail,
  );
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim());
  return (lines.at(-1) ?? '(no message)').replace(/^error: /, '').trim();
}
