import type { OsBackend, OsBackendOptions } from '../backend';
import {
  checkRpmOstree,
  pinRpmOstree,
  rollbackRpmOstree,
  stateOf,
  sysrootArgs,
  upgradeRpmOstree,
} from './operations';
import { readStatus } from './read-status';
import type { WaitOptions } from './wait-idle';

// The rpm-ostree backend (issue 9): `rpm-ostree status --json`, `upgrade --check`, `upgrade`, `rollback`, found on
// PATH. See README.md.

export type RpmOstreeBackendDeps = Pick<WaitOptions, 'pollMs' | 'maxWaitMs'>;

export function createRpmOstreeBackend(opts: OsBackendOptions, deps: RpmOstreeBackendDeps = {}): OsBackend {
  const wait: WaitOptions = { ...deps, sysrootArgs: sysrootArgs(opts) };
  return {
    name: 'rpm-ostree',
    status: async (ctx) => stateOf(opts, await readStatus(ctx.signal, sysrootArgs(opts))),
    check: (ctx) => checkRpmOstree(opts, ctx, wait),
    apply: (ctx) => upgradeRpmOstree(opts, ctx, wait),
    rollback: (ctx) => rollbackRpmOstree(opts, ctx, wait),
    pin: (ctx, index, pinned) => pinRpmOstree(opts, ctx, index, pinned),
  };
}
