import type { RunnersFor } from '../jobs/runner-types';
import { requireUnmeteredOrAllowed } from '../network/require-unmetered';
import { installFramework } from './install';
import type { MeteredChoice } from './requests';
import { uninstallFramework } from './uninstall';
import { processTools } from './tools';

// The four framework jobs. The system ones run as root (the helper, or the CLI under sudo); an uninstall of a
// system package knows only the package, which is all apt needs and all the helper lets through.

// An install downloads: on a metered network it goes ahead only with the person's yes, checked here where the
// download happens (the page and the CLI ask, then pass allowMetered).
const meteredGate = (p: MeteredChoice & { name: string }) =>
  requireUnmeteredOrAllowed({
    setting: p.meteredSetting,
    allowMetered: p.allowMetered,
    what: `Installing ${p.name}`,
    size: 'an amount its package manager cannot tell before it runs',
  });

export const frameworkRunners: RunnersFor<
  'framework-install' | 'framework-uninstall' | 'framework-install-system' | 'framework-uninstall-system'
> = {
  'framework-install': async (p, ctx) => {
    await meteredGate(p);
    return installFramework(p, ctx, processTools(p.npmPrefix));
  },
  'framework-uninstall': (p, ctx) => uninstallFramework(p, ctx, processTools(p.npmPrefix)),
  'framework-install-system': async (p, ctx) => {
    await meteredGate(p);
    return installFramework(p, ctx, processTools());
  },
  'framework-uninstall-system': (p, ctx) =>
    uninstallFramework({ name: p.name, recipe: { apt: p.package }, binary: p.binary }, ctx, processTools()),
};
