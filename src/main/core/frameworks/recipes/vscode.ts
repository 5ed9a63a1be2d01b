import { streamTool } from '../stream-tool';
import type { RecipeRunner } from './recipe-runner';

// VS Code extensions, through VS Code's own `code` command (as the user, into their profile).
export function vscodeRecipe(id: string): RecipeRunner {
  return {
    label: `VS Code extension ${id}`,
    install: (ctx, tools) =>
      streamTool('code --install-extension', 'code', ['--install-extension', id], ctx, tools.env).then(
        () => {},
      ),
    uninstall: (ctx, tools) =>
      streamTool('code --uninstall-extension', 'code', ['--uninstall-extension', id], ctx, tools.env).then(
        () => {},
      ),
    binDirs: async () => [],
  };
}
