import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where the manifests shipped with the app are: the `manifests/` folder at the package root. Found by walking up
// from this module, because the module sits at different depths in the source tree (tests), the built bundle
// (out/main/*.js) and the packaged app (app.asar/out/main): each has `manifests/` at its root.

const MARKER = 'agentic-frameworks-recommended.yaml';

export async function shippedManifestDir(
  from: string = dirname(fileURLToPath(import.meta.url)),
): Promise<string> {
  return shippedDir('manifests', MARKER, from);
}

/** The shipped folder FOLDER (a path under the package root, e.g. templates/kernel) holding MARKER. */
export async function shippedDir(
  folder: string,
  marker: string,
  from: string = dirname(fileURLToPath(import.meta.url)),
): Promise<string> {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, folder);
    if (
      await access(join(candidate, marker)).then(
        () => true,
        () => false,
      )
    )
      return candidate;
    if (dirname(dir) === dir)
      throw new Error(`no ${folder}/${marker} above ${from}: the app's shipped files are missing`);
  }
}
