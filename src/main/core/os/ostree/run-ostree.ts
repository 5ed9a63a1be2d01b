import { KintsugiError } from '../../../../shared/errors';
import { runToolForAnswer, type ToolAnswer } from '../../util/run-tool';

// Every ostree call of the ostree backend goes through here: an argument array, the C locale (the text of
// `ostree admin status` is parsed, and its words must not be translated), the caller's cancel signal, and a failure
// turned into an error that says which command failed and ostree's own last line.

export type OstreeRun = ToolAnswer;

export interface OstreeCallOptions {
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (1 from `show --print-metadata-key` on a missing key). */
  okCodes?: readonly number[];
}

/** What ostree prints when libcurl/libsoup cannot reach the server (ostree 2022.7: "[7] Couldn't connect to server"). */
const UNREACHABLE =
  /Couldn't connect|Could not connect|Connection refused|Couldn't resolve|Could not resolve|Timeout was reached|Failed to connect|Network is unreachable|No route to host/i;

export function ostree(args: readonly string[], opts: OstreeCallOptions = {}): Promise<OstreeRun> {
  return runToolForAnswer('ostree', args, {
    ...opts,
    missingHint: 'Install ostree (Debian: apt install ostree), then retry.',
    failure: ostreeFailure,
  });
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
