import { KintsugiError } from '../../../../shared/errors';
import { runToolForAnswer, type ToolAnswer } from '../../util/run-tool';

// Every rpm-ostree call: the binary found on PATH (never a fixed /usr/bin path: the tests put their stand-in first),
// an argument array, the C locale, the caller's cancel signal. A failure becomes the error a person can act on:
// rpm-ostree's own messages (coreos/rpm-ostree v2026.2) are matched for the three cases that have a next step.

export type RpmOstreeRun = ToolAnswer;

/** rpm-ostree's "nothing changed" exit code (src/app/rpmostree-builtin-types.h RPM_OSTREE_EXIT_UNCHANGED). */
export const EXIT_UNCHANGED = 77;

export function rpmOstree(
  args: readonly string[],
  opts: { signal?: AbortSignal; okCodes?: readonly number[] } = {},
): Promise<RpmOstreeRun> {
  return runToolForAnswer('rpm-ostree', args, {
    ...opts,
    missingHint: 'This system is not an rpm-ostree system, or rpm-ostree is missing from PATH.',
    failure: rpmOstreeFailure,
  });
}

export function rpmOstreeFailure(args: readonly string[], stderr: string): KintsugiError {
  const text = stderr.replace(/^error: /gm, '').trim();
  const detail = `rpm-ostree ${args.join(' ')} failed: ${text.split('\n')[0] || '(no message)'}`;
  // src/daemon/rpmostreed-sysroot.cxx: "Transaction in progress: <title>\n You can cancel ... `rpm-ostree cancel`"
  if (/Transaction in progress/.test(text)) return new KintsugiError('OS_TRANSACTION_ACTIVE', detail);
  // src/daemon/rpmostreed-transaction-types.cxx rollback_transaction_execute
  if (/Staged deployment \(remove with cleanup -p\)/.test(text))
    return new KintsugiError('OS_STAGED_BLOCKS_ROLLBACK', detail);
  if (/No rollback deployment found/.test(text)) return new KintsugiError('OS_NO_ROLLBACK_TARGET', detail);
  return new KintsugiError('OS_RPM_OSTREE_FAILED', detail);
}
