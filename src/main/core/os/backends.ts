import { join } from 'node:path';
import type { OsTargetParams } from '../../../shared/os/contract';
import type { OsBackendName } from '../../../shared/os/model';
import type { JobContext } from '../jobs/context';
import { configurePending, createAptBackend } from './apt';
import type { OsBackend, OsBackendFactory } from './backend';
import { detectOsBackend } from './detect';
import { createOstreeBackend } from './ostree';
import { createRpmOstreeBackend } from './rpm-ostree';

// The three backends by name, and the one way a job, the CLI or main turns a target into a backend: detect (or
// take the forced name), then build it with the target's options. The table is a parameter wherever it is used,
// so tests can hand in a stand-in backend without any switch in production code.

export type OsBackendFactories = Record<OsBackendName, OsBackendFactory>;

/**
 * apt with repair: the backend exports the fix (`dpkg --configure -a`, configurePending) and leaves wiring it to
 * the plumbing; after it, the state is read again so the page and the record show what is left.
 */
const aptWithRepair: OsBackendFactory = (opts) => {
  const apt = createAptBackend(opts);
  return {
    ...apt,
    async repair(ctx) {
      await configurePending({ root: opts.root }, ctx);
      return apt.status(ctx);
    },
  };
};

export const OS_BACKEND_FACTORIES: OsBackendFactories = {
  apt: aptWithRepair,
  ostree: createOstreeBackend,
  'rpm-ostree': createRpmOstreeBackend,
};

/**
 * Where a backend keeps its own records (apt's replaced versions, for rollback): inside the root it updates, so
 * the records travel with the system they describe (a chroot's with the chroot) and no caller names a folder
 * for root to write into.
 */
export function osRecordsDir(target: Pick<OsTargetParams, 'root' | 'sysroot'>): string {
  // An ostree sysroot elsewhere (root left at /) is the system being worked on: never this machine's /var.
  const base = target.root === '/' && target.sysroot !== '/' ? target.sysroot : target.root;
  return join(base, 'var', 'lib', 'kintsugi-updater', 'os');
}

export async function openOsBackend(
  target: OsTargetParams,
  factories: OsBackendFactories = OS_BACKEND_FACTORIES,
  ctx?: Pick<JobContext, 'log'>,
): Promise<OsBackend> {
  const found = await detectOsBackend({
    root: target.root,
    sysroot: target.sysroot,
    ...(target.backend ? { forced: target.backend } : {}),
  });
  ctx?.log(`OS backend ${found.name} (${found.why})`);
  return factories[found.name]({
    root: target.root,
    sysroot: target.sysroot,
    ...(target.osName ? { osName: target.osName } : {}),
    lockTimeoutSeconds: target.lockTimeoutSeconds,
    stateDir: osRecordsDir(target),
  });
}
