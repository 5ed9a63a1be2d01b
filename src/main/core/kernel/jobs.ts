import type { RunnersFor } from '../jobs/runner-types';
import { buildKernel } from './build';
import { promote } from './promote';

// The kernel jobs (utility host, unprivileged; makepkg drops to the build user when the host is root anyway).

export const kernelRunners: RunnersFor<'kernel.promote' | 'kernel.build'> = {
  'kernel.promote': (p, ctx) =>
    promote(
      {
        workspace: p.workspace,
        host: p.host,
        ...(p.out ? { out: p.out } : {}),
        ...(p.checkAgainst ? { checkAgainst: p.checkAgainst } : {}),
      },
      ctx,
    ),
  'kernel.build': (p, ctx) => buildKernel(p, ctx),
};
