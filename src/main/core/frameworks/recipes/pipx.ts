import { join } from 'node:path';
import { streamTool } from '../stream-tool';
import type { FrameworkTools } from '../tools';
import type { RecipeRunner } from './recipe-runner';

// pipx recipes: each framework in its own virtualenv, its command linked into pipx's bin dir (PIPX_BIN_DIR,
// else ~/.local/bin). pipx's own PIPX_HOME / PIPX_BIN_DIR / PIP_* variables come from the environment.

export const pipxPackageName = (spec: string): string => spec.split('==')[0]!;

export const pipxBinDir = (tools: FrameworkTools): string | null =>
  tools.env['PIPX_BIN_DIR'] ?? (tools.env['HOME'] ? join(tools.env['HOME'], '.local', 'bin') : null);

export function pipxRecipe(spec: string): RecipeRunner {
  return {
    label: `pipx ${spec}`,
    install: (ctx, tools) =>
      streamTool('pipx install', 'pipx', ['install', spec], ctx, tools.env).then(() => {}),
    uninstall: (ctx, tools) =>
      streamTool('pipx uninstall', 'pipx', ['uninstall', pipxPackageName(spec)], ctx, tools.env).then(
        () => {},
      ),
    binDirs: async (tools) => {
      const dir = pipxBinDir(tools);
      return dir ? [dir] : [];
    },
  };
}
