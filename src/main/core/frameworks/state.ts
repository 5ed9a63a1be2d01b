import type { InstalledState } from '../../../shared/frameworks/contract';
import type { Recipe } from '../../../shared/frameworks/entry';
import { binaryState, extensionState, vscodeExtensions } from './detect';
import { recipeRunner } from './recipes';
import type { FrameworkTools } from './tools';

// Whether one framework is installed now: its binary (on PATH or in its recipe's bin dir) answers --version, or
// VS Code lists its extension. `extensions` lets the catalog ask `code` once for all entries.

export interface Installable {
  recipe: Recipe;
  binary?: string;
}

export async function installedState(
  f: Installable,
  tools: FrameworkTools,
  extensions?: Map<string, string> | null,
): Promise<InstalledState> {
  if (f.recipe.vscode !== undefined)
    return extensionState(
      f.recipe.vscode,
      extensions !== undefined ? extensions : await vscodeExtensions(tools.env),
    );
  if (!f.binary) return { installed: false, reason: 'the manifest names no binary to check' };
  const dirs = await recipeRunner(f.recipe)
    .binDirs(tools)
    .catch(() => []);
  return binaryState(f.binary, tools.env, dirs, tools.versionTimeoutMs);
}
