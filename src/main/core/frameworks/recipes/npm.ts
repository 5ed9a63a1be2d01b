import { join } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';
import { runTool } from '../../util/run-tool';
import { streamTool } from '../stream-tool';
import type { FrameworkTools } from '../tools';
import type { RecipeRunner } from './recipe-runner';

// npm recipes: a global install into one prefix, the setting's if there is one, else npm's own
// (`npm config get prefix`, which answers NPM_CONFIG_PREFIX when that is set, else the user's .npmrc, else
// npm's built-in default). The prefix is passed explicitly on every command, so the
// install, the check (prefix/bin) and the uninstall all look at the same place.

// Asked once per tools object: the catalog checks every npm entry with the same tools, an install asks before,
// during and after; npm takes a few hundred milliseconds to start.
const asked = new WeakMap<FrameworkTools, Promise<string>>();

export function npmPrefix(tools: FrameworkTools): Promise<string> {
  if (tools.npmPrefix) return Promise.resolve(tools.npmPrefix);
  let p = asked.get(tools);
  if (!p) {
    p = askNpm(tools);
    asked.set(tools, p);
    p.catch(() => asked.delete(tools)); // a failure is not remembered: the next call asks again
  }
  return p;
}

async function askNpm(tools: FrameworkTools): Promise<string> {
  const { stdout } = await runTool('npm', ['config', 'get', 'prefix'], { env: tools.env, extendEnv: false });
  const prefix = stdout.trim().split('\n').at(-1)?.trim() ?? '';
  if (!prefix.startsWith('/'))
    throw new KintsugiError(
      'FRAMEWORK_INSTALL_FAILED',
      `npm config get prefix answered "${prefix}", not a folder`,
      {
        hint: 'Set the npm prefix in Settings (e.g. ~/.local), or NPM_CONFIG_PREFIX.',
      },
    );
  return prefix;
}

/** The package name of a spec: `@scope/name@1.2.3` -> `@scope/name`. */
export const npmPackageName = (spec: string): string => spec.match(/^(@?[^@]+)/)![1]!;

export function npmRecipe(spec: string): RecipeRunner {
  const common = ['--global', '--no-fund', '--no-audit', '--no-update-notifier'];
  return {
    label: `npm ${spec}`,
    async install(ctx, tools) {
      const prefix = await npmPrefix(tools);
      await streamTool(
        'npm install',
        'npm',
        ['install', ...common, '--prefix', prefix, spec],
        ctx,
        tools.env,
      );
    },
    async uninstall(ctx, tools) {
      const prefix = await npmPrefix(tools);
      await streamTool(
        'npm uninstall',
        'npm',
        ['uninstall', ...common, '--prefix', prefix, npmPackageName(spec)],
        ctx,
        tools.env,
      );
    },
    binDirs: async (tools) => [join(await npmPrefix(tools), 'bin')],
  };
}
