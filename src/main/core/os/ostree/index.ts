import type { OsBackend, OsBackendOptions } from '../backend';
import type { FreeSpace } from './boot-space';
import { checkOstree } from './check';
import { availableUpdate } from './available';
import { pinOstree } from './pin';
import { rollbackOstree } from './rollback';
import { ostreeState } from './state';
import { loadTarget } from './target';
import { upgradeOstree } from './upgrade';

// The ostree backend (issue 9): a sysroot's deployments driven with the ostree CLI. See README.md.

export { cleanupOstree } from './cleanup';

export interface OstreeBackendDeps {
  /** Free bytes at a path (default: statfs). Tests pass a small number to reach the /boot refusal. */
  freeSpace?: FreeSpace;
}

export function createOstreeBackend(opts: OsBackendOptions, deps: OstreeBackendDeps = {}): OsBackend {
  return {
    name: 'ostree',
    async status(ctx) {
      const t = await loadTarget(opts, ctx.signal);
      return ostreeState(t, await availableUpdate(t, ctx.signal));
    },
    check: (ctx) => checkOstree(opts, ctx),
    apply: (ctx) => upgradeOstree(opts, ctx, deps),
    rollback: (ctx) => rollbackOstree(opts, ctx),
    pin: (ctx, index, pinned) => pinOstree(opts, ctx, index, pinned),
  };
}
