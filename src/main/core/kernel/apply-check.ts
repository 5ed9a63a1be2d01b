import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { git } from '../repo/git';
import type { Baseline } from './baseline';
import type { Hunk } from './normalize-patch';

// Does the cumulative patch apply on the baseline? Checked without a checkout: the baseline's tree is read into
// a temporary index (GIT_INDEX_FILE) and `git apply --cached --check` applies the patch to that index in memory.
// git applies a patch's diffs in order and a later diff of the same file sees the earlier one's result, so
// hunks that depend on an earlier series are checked as they will be applied (`patch --dry-run` checks each
// against the untouched file and fails them). On failure, git's first error names the file and the line of
// the hunk; we name the series patch and hunk it came from.

export async function checkApplies(
  baseline: Baseline,
  patchFile: string,
  hunks: readonly Hunk[],
  signal?: AbortSignal,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kintsugi-apply-'));
  const extraEnv = { GIT_INDEX_FILE: join(dir, 'index') };
  try {
    await git(baseline.repoDir, ['read-tree', baseline.commit], { signal, extraEnv });
    const r = await git(baseline.repoDir, ['apply', '--cached', '--check', patchFile], {
      signal,
      extraEnv,
      okCodes: [1, 128],
    });
    if (r.exitCode !== 0) throw applyFailure(r.stderr, baseline, hunks);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** git's error lines -> which file, which hunk, from which series patch. */
export function applyFailure(stderr: string, baseline: Baseline, hunks: readonly Hunk[]): KintsugiError {
  const errors = stderr.split('\n').filter((l) => l.startsWith('error: '));
  const failed = /^error: patch failed: (.+):(\d+)$/.exec(errors[0] ?? '');
  const other = /^error: (.+?): (does not exist in index|already exists in index|.*)$/.exec(errors[0] ?? '');
  const file = failed?.[1] ?? other?.[1];
  const line = failed ? Number(failed[2]) : undefined;
  const hunk =
    hunks.find((h) => h.file === file && h.oldStart === line) ?? hunks.find((h) => h.file === file);
  const where = file
    ? `${file}${hunk && line !== undefined ? `, hunk ${hunk.header}` : ''}${hunk ? ` (from ${hunk.source})` : ''}`
    : '(git named no file)';
  return new KintsugiError(
    'KERNEL_PATCH_DOES_NOT_APPLY',
    `${where} does not apply on ${baseline.ref} (${baseline.commit.slice(0, 12)}): ${errors.join('; ') || stderr.trim()}`,
  );
}
