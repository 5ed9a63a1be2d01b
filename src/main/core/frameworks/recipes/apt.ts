import { KintsugiError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/context';
import { streamTool } from '../stream-tool';
import type { FrameworkTools, ToolEnv } from '../tools';
import type { RecipeRunner } from './recipe-runner';

// apt recipes, run as root (the helper, or the CLI under sudo). Two rules keep a framework from changing the rest
// of the system: an install never removes a package (--no-remove: apt refuses instead of resolving a conflict by
// removal), and an uninstall removes exactly the one package, or nothing: apt's own simulation is read first, and
// any other package it would take with it (a dependent, an essential package) makes us refuse.

export const aptEnv = (tools: FrameworkTools): ToolEnv => ({
  ...tools.env,
  DEBIAN_FRONTEND: 'noninteractive',
});

export async function aptInstall(
  step: string,
  target: string,
  ctx: JobContext,
  tools: FrameworkTools,
): Promise<void> {
  await streamTool(step, 'apt-get', ['install', '-y', '-q', '--no-remove', target], ctx, aptEnv(tools));
}

/** The packages `apt-get remove PKG` would remove, from its simulation (`Remv name [version]` lines). */
export async function simulatedRemovals(
  pkg: string,
  ctx: JobContext,
  tools: FrameworkTools,
): Promise<string[]> {
  const lines = await streamTool(
    'apt-get remove (simulated)',
    'apt-get',
    ['-s', 'remove', pkg],
    ctx,
    aptEnv(tools),
  );
  return lines.flatMap((l) => /^Remv (\S+)/.exec(l)?.[1] ?? []).map((name) => name.replace(/:\w+$/, ''));
}

export async function aptRemoveExactly(
  pkg: string,
  ctx: JobContext,
  tools: FrameworkTools,
  opts: { rollback?: boolean } = {},
): Promise<void> {
  // Undoing a failed install: a package apt does not know, or did not install, is nothing to remove.
  const removals = await simulatedRemovals(pkg, ctx, tools).catch((err: unknown) => {
    if (opts.rollback) return [] as string[];
    throw err;
  });
  if (opts.rollback && removals.length === 0) return;
  const others = removals.filter((p) => p !== pkg);
  if (others.length)
    throw new KintsugiError(
      'FRAMEWORK_UNINSTALL_FAILED',
      `removing ${pkg} would also remove ${others.join(', ')}`,
      {
        hint: `Nothing was removed. Remove it yourself with apt if that is what you want: sudo apt-get remove ${pkg}`,
      },
    );
  if (!removals.includes(pkg))
    throw new KintsugiError('FRAMEWORK_UNINSTALL_FAILED', `${pkg} is not installed as a system package`, {
      hint: 'Nothing to remove; refresh the list.',
    });
  await streamTool('apt-get remove', 'apt-get', ['remove', '-y', '-q', pkg], ctx, aptEnv(tools));
}

export function aptRecipe(pkg: string): RecipeRunner {
  return {
    label: `apt ${pkg}`,
    install: (ctx, tools) => aptInstall('apt-get install', pkg, ctx, tools),
    uninstall: (ctx, tools, opts) => aptRemoveExactly(pkg, ctx, tools, opts),
    binDirs: async () => [],
  };
}
