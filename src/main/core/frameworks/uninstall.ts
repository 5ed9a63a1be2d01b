import { KintsugiError } from '../../../shared/errors';
import type { FrameworkJobResult } from '../../../shared/frameworks/contract';
import type { JobContext } from '../jobs/context';
import { recipeRunner } from './recipes';
import { installedState, type Installable } from './state';
import { RecipeStepError } from './stream-tool';
import type { FrameworkTools } from './tools';

// Uninstall = the recipe's own uninstall, then the same check install uses: it succeeded only if the framework no
// longer answers.

export async function uninstallFramework(
  f: Installable & { name: string },
  ctx: JobContext,
  tools: FrameworkTools,
): Promise<FrameworkJobResult> {
  const recipe = recipeRunner(f.recipe);
  ctx.progress({ kind: 'frameworks', phase: 'uninstall', message: recipe.label });
  try {
    await recipe.uninstall(ctx, tools);
  } catch (err) {
    if (err instanceof KintsugiError) throw err;
    const detail =
      err instanceof RecipeStepError
        ? `\`${err.failure.command}\`${err.failure.tail.length ? ` said: ${err.failure.tail.slice(-3).join(' / ')}` : ''}`
        : (err as Error).message;
    throw new KintsugiError('FRAMEWORK_UNINSTALL_FAILED', `${f.name}: step "uninstall" failed: ${detail}`, {
      cause: err,
    });
  }
  ctx.progress({ kind: 'frameworks', phase: 'verify', message: f.name });
  const state = await installedState(f, tools);
  if (state.installed)
    throw new KintsugiError(
      'FRAMEWORK_UNINSTALL_FAILED',
      `${f.name}: step "verify" failed: ${recipe.label} was removed, but ${state.path ?? f.name} still answers (installed another way?)`,
      { hint: 'Remove that copy the way it was installed; the path is in the detail.' },
    );
  return { name: f.name, state };
}
