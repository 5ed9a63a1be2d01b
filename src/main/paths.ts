import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where the built pieces sit relative to this bundle (out/main/index.js): out/preload/index.cjs and
// out/renderer/index.html. Resolved from import.meta.url so it works from the asar and from a checkout.

const here = fileURLToPath(new URL('.', import.meta.url));

export const builtPaths = {
  preload: join(here, '../preload/index.cjs'),
  renderer: join(here, '../renderer/index.html'),
  utility: join(here, 'utility.js'),
};

/** The tray / window icon: packaged under resources/icons, in a checkout under build/icons. */
export function iconPath(isPackaged: boolean, resourcesPath: string, appPath: string): string {
  return isPackaged ? join(resourcesPath, 'icons', 'icon.png') : join(appPath, 'build', 'icons', 'icon.png');
}
