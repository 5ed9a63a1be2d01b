import { frameworkEntrySchema, type FrameworkEntry } from '../../../shared/frameworks/entry';
import { userFrameworksManifest } from '../layers/data-layout';
import { loadLayeredManifest, type LayeredManifest } from '../manifests/load-layered';
import type { ManifestSpec } from '../manifests/parse-manifest';
import { shippedManifestDir } from '../manifests/shipped-dir';

// The frameworks manifests: the recommended one (clone, else shipped) under the user's
// <data>/frameworks/user/frameworks.yaml, entries keyed by name.

export const FRAMEWORKS_RECOMMENDED = 'agentic-frameworks-recommended.yaml';

export const FRAMEWORKS_MANIFEST: ManifestSpec<FrameworkEntry> = {
  listKey: 'frameworks',
  entry: frameworkEntrySchema,
  keyOf: (f) => f.name,
};

export async function loadFrameworkManifests(
  dataRoot: string,
  shippedDir?: string,
): Promise<LayeredManifest<FrameworkEntry>> {
  return loadLayeredManifest({
    dataRoot,
    recommendedName: FRAMEWORKS_RECOMMENDED,
    userFile: userFrameworksManifest(dataRoot),
    shippedDir: shippedDir ?? (await shippedManifestDir()),
    spec: FRAMEWORKS_MANIFEST,
  });
}
