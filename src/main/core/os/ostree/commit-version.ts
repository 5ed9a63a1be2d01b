import { parseGVariantString } from './gvariant-string';
import { ostree } from './run-ostree';

/**
 * The `version` metadata of a commit in REPO (`ostree show --print-metadata-key=version`), or undefined when the
 * commit has none (exit 1, "No such metadata key") or is not in the repo.
 */
export async function commitVersion(
  repo: string,
  checksum: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const r = await ostree([`--repo=${repo}`, 'show', '--print-metadata-key=version', checksum], {
    signal,
    okCodes: [1],
  });
  return r.exitCode === 0 ? parseGVariantString(r.stdout) : undefined;
}

/** The commit REV (a ref or refspec) points at in REPO, or undefined when the ref does not exist there. */
export async function revParse(
  repo: string,
  rev: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const r = await ostree([`--repo=${repo}`, 'rev-parse', rev], { signal, okCodes: [1] });
  return r.exitCode === 0 && /^[0-9a-f]{64}$/.test(r.stdout.trim()) ? r.stdout.trim() : undefined;
}
