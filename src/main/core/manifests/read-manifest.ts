import { open } from 'node:fs/promises';
import type { ManifestProblem } from '../../../shared/manifest-problem';
import { parseManifestText, type ManifestSpec, type ParsedManifest } from './parse-manifest';

// Reads one manifest file. A missing file is no problem (no user manifest yet, no clone yet): `found` says so.
// A manifest is a few kilobytes; anything past 1 MiB is refused rather than parsed, so a wrong file cannot stall
// the catalog.

const MAX_BYTES = 1024 * 1024;

export interface ManifestFile<T> extends ParsedManifest<T> {
  file: string;
  found: boolean;
}

export async function readManifestFile<T>(file: string, spec: ManifestSpec<T>): Promise<ManifestFile<T>> {
  const r = await readManifestText(file);
  if (!r.found) return { file, found: false, entries: [], problems: [] };
  if (r.problem) return { file, found: true, entries: [], problems: [r.problem] };
  return { file, found: true, ...parseManifestText(r.text, file, spec) };
}

/** A manifest file's text, bounded; a missing file is `found: false`, an unreadable or oversized one a problem. */
export async function readManifestText(
  file: string,
): Promise<
  | { found: false }
  | { found: true; text: string; problem?: undefined }
  | { found: true; problem: ManifestProblem }
> {
  const problem = (message: string) => ({
    found: true as const,
    problem: { file, line: 1, column: 1, message } satisfies ManifestProblem,
  });
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { found: false };
    return problem(`cannot be read (${code ?? String(err)}): check its permissions`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return problem('is not a regular file');
    if (st.size > MAX_BYTES) return problem(`is ${st.size} bytes; a manifest is at most ${MAX_BYTES}`);
    const text = await handle.readFile({ encoding: 'utf8' });
    return { found: true, text };
  } catch (err) {
    return problem(`cannot be read (${(err as Error).message})`);
  } finally {
    await handle.close();
  }
}
