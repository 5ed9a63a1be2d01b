import { join } from 'node:path';
import { z } from 'zod';
import type { OsUpdateKind } from '../../../../shared/os/model';
import { KintsugiError } from '../../../../shared/errors';
import type { ManifestSpec } from '../../manifests/parse-manifest';
import { readManifestFile } from '../../manifests/read-manifest';
import { shippedManifestDir } from '../../manifests/shipped-dir';
import { bareName, globToRegExp, PACKAGE_GLOB } from './package-glob';

// The curated OS-relevant list (manifests/os-relevant-packages.yaml): which upgradable packages are OS updates, and
// which of them go in the second (kernel) apply phase. Read with the manifests loader (file:line:column problems)
// and refused whole if any entry is wrong: a list that silently lost an entry would leave that package unpatched
// without anyone being told.

export const OS_RELEVANT_FILE = 'os-relevant-packages.yaml';

const entrySchema = z.strictObject({
  match: z.string().max(100).regex(PACKAGE_GLOB, 'must be a package name or glob (a-z 0-9 + . - and * ?)'),
  phase: z.enum(['userspace', 'kernel']).default('userspace'),
});
export type RelevantEntry = z.output<typeof entrySchema>;

const SPEC: ManifestSpec<RelevantEntry> = { listKey: 'packages', entry: entrySchema, keyOf: (e) => e.match };

export interface RelevantList {
  /** The phase of NAME when the list holds it, else undefined (not an OS update). */
  phaseOf(name: string): Exclude<OsUpdateKind, 'image'> | undefined;
}

export function relevantList(entries: readonly RelevantEntry[]): RelevantList {
  const rules = entries.map((e) => ({ re: globToRegExp(e.match), phase: e.phase }));
  return {
    phaseOf(name) {
      const bare = bareName(name);
      // A kernel rule wins over a broader userspace one, whatever the order in the file.
      const hits = rules.filter((r) => r.re.test(bare));
      if (!hits.length) return undefined;
      return hits.some((r) => r.phase === 'kernel') ? 'kernel' : 'userspace';
    },
  };
}

/** The list from FILE (default: the one shipped with the app); OS_MANIFEST_INVALID names every problem. */
export async function loadRelevantList(file?: string): Promise<RelevantList> {
  const path = file ?? join(await shippedManifestDir(), OS_RELEVANT_FILE);
  const read = await readManifestFile(path, SPEC);
  if (!read.found) throw new KintsugiError('OS_MANIFEST_INVALID', `${path} is missing`);
  if (read.problems.length)
    throw new KintsugiError(
      'OS_MANIFEST_INVALID',
      read.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('; '),
    );
  if (!read.entries.length) throw new KintsugiError('OS_MANIFEST_INVALID', `${path} lists no packages`);
  return relevantList(read.entries.map((e) => e.value));
}
