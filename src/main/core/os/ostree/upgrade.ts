import type { OsApplyResult } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import type { OsBackendOptions } from '../backend';
import { availableUpdate } from './available';
import { checkBootSpace, type FreeSpace } from './boot-space';
import { ostree } from './run-ostree';
import { rebootState } from './state';
import { loadTarget } from './target';

// An upgrade in three steps, so that the /boot check sits between the download and the first write to /boot:
// `ostree admin upgrade --pull-only` (the whole tree of the origin's newest commit), the space check on that
// commit's kernel files, then `--deploy-only`. On a booted system the deploy is staged (`--stage`: finished at
// shutdown, so the running system's /boot and /etc are not changed under it); a sysroot that is not booted cannot
// stage (ostree: "Not currently booted into an OSTree system") and gets a plain deploy.

export async function upgradeOstree(
  opts: Pick<OsBackendOptions, 'sysroot' | 'osName'>,
  ctx: JobContext,
  deps: { freeSpace?: FreeSpace } = {},
): Promise<OsApplyResult> {
  const before = await loadTarget(opts, ctx.signal);
  const admin = ['admin', 'upgrade', `--sysroot=${before.sysroot}`, `--os=${before.osName}`];
  ctx.progress({
    kind: 'os',
    phase: 'download',
    message: `pulling ${before.default.refspec ?? 'the origin'}`,
  });
  await ostree([...admin, '--pull-only'], { signal: ctx.signal });
  const update = await availableUpdate(before, ctx.signal);
  if (!update) return { backend: 'ostree', applied: [], hooks: [], reboot: rebootState(before) };

  ctx.progress({ kind: 'os', phase: 'deploy', message: `checking room in /boot for ${update.to}` });
  await checkBootSpace({
    sysroot: before.sysroot,
    next: update.toChecksum!,
    nextLabel: update.to,
    deployed: before.entries.map((e) => e.checksum),
    ...(deps.freeSpace ? { freeSpace: deps.freeSpace } : {}),
    signal: ctx.signal,
  });
  const stage = before.booted !== undefined;
  ctx.progress({ kind: 'os', phase: 'deploy', message: `${stage ? 'staging' : 'deploying'} ${update.to}` });
  await ostree([...admin, '--deploy-only', ...(stage ? ['--stage'] : [])], { signal: ctx.signal });
  const after = await loadTarget(opts, ctx.signal);
  return {
    backend: 'ostree',
    applied: [update],
    // ostree writes the bootloader entries itself; no separate hook runs.
    hooks: [],
    reboot: rebootState(after),
  };
}
