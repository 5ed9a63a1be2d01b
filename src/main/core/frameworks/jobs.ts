import type { RunnersFor } from '../jobs/runner-types';
import { installFramework } from './install';
import { uninstallFramework } from './uninstall';
import { processTools } from './tools';

// The four framework jobs. The system ones run as root (the helper, or the CLI under sudo); an uninstall of a
// system package knows only the package, which is all apt needs and all the helper lets through.

export const frameworkRunners: RunnersFor<
  'framework-install' | 'framework-uninstall' | 'framework-install-system' | 'framework-uninstall-system'
> = {
  'framework-install': (p, ctx) => installFramework(p, ctx, processTools(p.npmPrefix)),
  'framework-uninstall': (p, ctx) => uninstallFramework(p, ctx, processTools(p.npmPrefix)),
  'framework-install-system': (p, ctx) => installFramework(p, ctx, processTools()),
  'framework-uninstall-system': (p, ctx) =>
    uninstallFramework({ name: p.name, recipe: { apt: p.package }, binary: p.binary }, ctx, processTools()),
};
