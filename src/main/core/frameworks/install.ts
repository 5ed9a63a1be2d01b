import { KintsugiError } from '../../../shared/errors';
import type { FrameworkJobResult } from '../../../shared/frameworks/contract';
import { recipeKind } from '../../../shared/frameworks/entry';
import type { JobContext } from '../jobs/context';
import { recipeRunner } from './recipes';
import { installedState, type Installable } from './state';
import { RecipeStepError } from './stream-tool';
import type { FrameworkTools } from './tools';

// Install = run the recipe, then check the framework answers. If either step fails and the framework was not
// installed before, the recipe's uninstall runs, so nothing half-installed is left to be seen as installed; the
// error names the failed step and says whether the roll-back worked. A framework that was already there (a
// re-install) is left alone on failure: removing a working install would lose more than the failure did.

export async function installFramework(
  f: Installable & { name: string },
  ctx: JobContext,
  tools: FrameworkTools,
): Promise<FrameworkJobResult> {
  const recipe = recipeRunner(f.recipe);
  const before = await installedState(f, tools);
  const fail = async (step: string, what: string, cause: unknown): Promise<never> => {
    let rolledBack = 'it was installed before, so it was left as it was';
    if (!before.installed) {
      ctx.progress({ kind: 'frameworks', phase: 'rollback', message: `Removing what ${recipe.label} left` });
      // With a signal of its own: a cancelled install is still cleaned up, not left half-done.
      const undo = { ...ctx, signal: new AbortController().signal };
      rolledBack = await recipe.uninstall(undo, tools, { rollback: true }).then(
        () => 'rolled back: nothing of it is left installed',
        (err: unknown) => `the roll-back failed too (${(err as Error).message}): check the job log`,
      );
      ctx.log(`Roll-back: ${rolledBack}`);
    }
    // A code of its own (CANCELLED, TOOL_MISSING, FRAMEWORK_DEB_MISMATCH) says more than "install failed".
    if (cause instanceof KintsugiError) throw cause;
    throw new KintsugiError(
      'FRAMEWORK_INSTALL_FAILED',
      `${f.name}: step "${step}" failed: ${what}; ${rolledBack}`,
      {
        cause,
      },
    );
  };

  ctx.progress({ kind: 'frameworks', phase: 'install', message: recipe.label });
  try {
    await recipe.install(ctx, tools);
  } catch (err) {
    return fail('install', describe(err), err);
  }

  ctx.progress({ kind: 'frameworks', phase: 'verify', message: f.binary ?? f.recipe.vscode ?? f.name });
  const state = await installedState(f, tools);
  if (!state.installed)
    return fail(
      'verify',
      `${recipeKind(f.recipe)} finished, but ${state.reason ?? 'the framework does not answer'}`,
      new Error(state.reason),
    );
  ctx.log(`${f.name} answers: ${state.version ?? 'installed'}${state.path ? ` (${state.path})` : ''}`);
  return { name: f.name, state };
}

function describe(err: unknown): string {
  if (err instanceof RecipeStepError)
    return `\`${err.failure.command}\`${err.failure.tail.length ? ` said: ${err.failure.tail.slice(-3).join(' / ')}` : ''}`;
  if (err instanceof KintsugiError) return err.detail ?? err.message;
  return (err as Error).message ?? String(err);
}
