import type { JobContext } from '../../jobs/context';
import type { OsBackendOptions } from '../backend';
import { ostree } from './run-ostree';
import { checkSysroot } from './sysroot';

/**
 * `ostree admin cleanup`: deletes deployments no longer in the bootloader order and the repo objects nothing
 * references (what a rollback by undeploy left). Pinned, booted and listed deployments are kept. Not part of
 * OsBackend; the plumbing wires it as its own job. Returns ostree's own summary lines.
 */
export async function cleanupOstree(
  opts: Pick<OsBackendOptions, 'sysroot'>,
  ctx: JobContext,
): Promise<string[]> {
  await checkSysroot(opts.sysroot);
  ctx.progress({ kind: 'os', phase: 'deploy', message: 'removing unused deployments and objects' });
  const r = await ostree(['admin', 'cleanup', `--sysroot=${opts.sysroot}`], { signal: ctx.signal });
  return r.stdout.split('\n').filter((l) => l.trim());
}
