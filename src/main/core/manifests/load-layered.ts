import { join } from 'node:path';
import type { ManifestProblem } from '../../../shared/manifest-problem';
import { cloneManifestDir } from '../layers/data-layout';
import type { ManifestSpec } from './parse-manifest';
import { readManifestFile } from './read-manifest';
import { shadow, type LayeredEntry } from './shadow';

// A layer's manifests, as the catalog sees them: the recommended file (from the toolkit clone, which a `git pull`
// updates, else the copy shipped with the app) under the user's own file. When the clone's file exists but does
// not parse at all, the shipped copy stands in for it, so a bad pull does not empty the catalog; its problems are
// still reported.

export interface LayeredManifest<T> {
  entries: LayeredEntry<T>[];
  problems: ManifestProblem[];
  recommendedFile: { path: string; from: 'clone' | 'shipped' };
  userFile: string;
}

export async function loadLayeredManifest<T>(opts: {
  dataRoot: string;
  /** e.g. agentic-frameworks-recommended.yaml: the same name in the clone's manifest/ and in the shipped folder. */
  recommendedName: string;
  userFile: string;
  shippedDir: string;
  spec: ManifestSpec<T>;
}): Promise<LayeredManifest<T>> {
  const fromClone = await readManifestFile(
    join(cloneManifestDir(opts.dataRoot), opts.recommendedName),
    opts.spec,
  );
  const unusable = !fromClone.found || (fromClone.entries.length === 0 && fromClone.problems.length > 0);
  const shipped = unusable
    ? await readManifestFile(join(opts.shippedDir, opts.recommendedName), opts.spec)
    : null;
  const recommended = shipped ?? fromClone;
  const user = await readManifestFile(opts.userFile, opts.spec);
  return {
    entries: shadow(recommended.entries, user.entries, opts.spec.keyOf),
    problems: [...fromClone.problems, ...(shipped?.problems ?? []), ...user.problems],
    recommendedFile: { path: recommended.file, from: shipped ? 'shipped' : 'clone' },
    userFile: opts.userFile,
  };
}
