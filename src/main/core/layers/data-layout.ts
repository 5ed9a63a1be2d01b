import { join } from 'node:path';

// Where each layer lives under the data root (`<data>`, default /data: the setting `dataRoot`, `--data-root`).
// One place for these paths: the repo, frameworks and models layers, the manifests loader and the tests all ask
// here, so moving a folder is one edit.

/** The toolkit's git clone (docs & scripts, and the recommended manifests a pull brings). */
export const toolkitCloneDir = (dataRoot: string) => join(dataRoot, 'repo', 'kintsugi-usb');

/** Where a pull brings the recommended manifests (`models-recommended.yaml`, `agentic-frameworks-recommended.yaml`). */
export const cloneManifestDir = (dataRoot: string) => join(toolkitCloneDir(dataRoot), 'manifest');

/** The user's own framework entries; they shadow recommended entries of the same name. */
export const userFrameworksManifest = (dataRoot: string) =>
  join(dataRoot, 'frameworks', 'user', 'frameworks.yaml');

/** The user's own model entries; they shadow recommended entries of the same slug. */
export const userModelsManifest = (dataRoot: string) => join(dataRoot, 'models', 'user', 'models.yaml');

/** Hugging Face GGUF weights land here under the file's base name. */
export const userModelsDir = (dataRoot: string) => join(dataRoot, 'models', 'user');

/** The toolkit's scripts inside the clone, linked into a bin dir by `repo link`. */
export const toolkitScriptsDir = (dataRoot: string) =>
  join(toolkitCloneDir(dataRoot), 'scripts', 'usb-toolkit');
