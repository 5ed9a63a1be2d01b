import type { OsRollbackResult } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import type { OsBackendOptions } from '../backend';
import { planRollback } from './rollback-plan';
import { ostree } from './run-ostree';
import { hasSetDefault } from './set-default';
import { rebootState } from './state';
import { deploymentDir } from './sysroot';
import { label, loadTarget } from './target';

// Makes the previous deployment the default (see rollback-plan.ts for which command and why), then says in
// words what was done and what it cost.

export async function rollbackOstree(
  opts: Pick<OsBackendOptions, 'sysroot' | 'osName'>,
  ctx: JobContext,
): Promise<OsRollbackResult> {
  const t = await loadTarget(opts, ctx.signal);
  const plan = planRollback(t.entries, t.osName, await hasSetDefault(ctx.signal));
  const sys = `--sysroot=${t.sysroot}`;
  const target = plan.target;
  ctx.progress({ kind: 'os', phase: 'rollback', message: `making ${label(target)} the default` });
  const actions: string[] = [];
  const caveats: string[] = [];
  if (plan.kind === 'set-default') {
    await ostree(['admin', 'set-default', sys, String(target.index)], { signal: ctx.signal });
    actions.push(
      `deployment ${target.index} (${label(target)}) is now the default (ostree admin set-default)`,
    );
  } else if (plan.kind === 'undeploy-default') {
    await ostree(['admin', 'undeploy', sys, '0'], { signal: ctx.signal });
    actions.push(
      `removed deployment 0 (${label(plan.removed)}) with ostree admin undeploy 0 (this ostree has no set-default)`,
      `${label(target)} is now the default (deployment 0)`,
    );
    caveats.push(
      `the commit of ${label(plan.removed)} stays in the repository until a cleanup; an upgrade deploys it again`,
    );
  } else {
    const origin = `${deploymentDir(t.sysroot, target.osName, target.checksum, target.serial)}.origin`;
    await ostree(
      [
        'admin',
        'deploy',
        sys,
        `--os=${target.osName}`,
        '--retain',
        `--origin-file=${origin}`,
        target.checksum,
      ],
      { signal: ctx.signal },
    );
    actions.push(
      `deployed ${label(target)} again as the new default, keeping every deployment (ostree admin deploy --retain; this ostree has no set-default)`,
    );
    caveats.push(`the new copy of ${label(target)} starts with the /etc of the deployment that was current`);
  }
  const after = await loadTarget(opts, ctx.signal);
  return { backend: 'ostree', actions, caveats, reboot: rebootState(after) };
}
