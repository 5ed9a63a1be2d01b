import type { RunnersFor } from '../jobs/runner-types';
import type { JobContext } from '../jobs/context';
import type { KernelInstallResult, KernelRollbackResult } from '../../../shared/kernel/contract';
import { buildKernel } from './build';
import { loadHostManifest } from './fleet-manifest';
import { installKernel } from './install/install';
import { defaultBackupDir } from './install/paths';
import { rollbackKernel } from './install/rollback';
import { promote } from './promote';

// The kernel jobs. promote and build: utility host, unprivileged (makepkg drops to the build user when the host is
// root anyway). install and rollback: the helper, as root, over the existing core verbs (core/kernel/install) with
// the parameters helper/authorize.ts checked; each pipeline step is reported as progress and a log line.

const stepReporter =
  (ctx: JobContext, phase: 'install' | 'rollback') => (id: string, title: string, skipped: boolean) => {
    ctx.progress({ kind: 'kernel', phase, message: title });
    ctx.log(`${skipped ? 'already done: ' : ''}${title} (${id})`);
  };

export const kernelRunners: RunnersFor<
  'kernel.promote' | 'kernel.build' | 'kernel.install' | 'kernel.rollback'
> = {
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
  'kernel.install': async (p, ctx): Promise<KernelInstallResult> => {
    const manifest = await loadHostManifest(p.workspace, p.host);
    const r = await installKernel({
      host: p.host,
      manifest,
      packageFile: p.packageFile,
      root: p.root,
      backupDir: defaultBackupDir(p.root),
      onStep: stepReporter(ctx, 'install'),
    });
    const rec = r.record;
    return {
      host: rec.host,
      version: rec.package.version,
      kernelRelease: rec.package.kernelRelease,
      replacedVersion: rec.replaced?.version ?? null,
      backupPath: rec.backupPath,
      ...(rec.deadline ? { deadline: rec.deadline } : {}),
      ran: r.ran,
      skipped: r.skipped,
    };
  },
  'kernel.rollback': async (p, ctx): Promise<KernelRollbackResult> => {
    const r = await rollbackKernel({ host: p.host, root: p.root, onStep: stepReporter(ctx, 'rollback') });
    if (r.nothing) {
      ctx.log(r.reason);
      return { host: p.host, nothing: r.reason, did: [] };
    }
    for (const d of r.did) ctx.log(d);
    return { host: p.host, did: r.did };
  },
};
