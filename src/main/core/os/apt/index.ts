import { isAbsolute } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/context';
import type { OsBackend, OsBackendFactory, OsBackendOptions } from '../backend';
import { applyUpdates } from './apply';
import { openAptTarget, type AptTarget } from './apt-target';
import { checkUpdates, offlineStatus } from './check';
import { loadRelevantList } from './relevant-list';
import { rollbackLastApply } from './rollback';
import { rootStateDir } from './state-files';

// The apt backend (issue 9): check, status, apply, rollback over the curated OS-relevant packages of a root (/ or
// another). Each call opens its target (validates the root, writes the temp APT_CONFIG, runs the isolation guard)
// and closes it after. See README.md.

export { configurePending } from './audit';

export interface AptBackendExtras {
  /** Another OS-relevant list than the shipped manifests/os-relevant-packages.yaml (tests, the bench). */
  relevantListFile?: string;
}

export function createAptBackendWith(opts: OsBackendOptions, extras: AptBackendExtras = {}): OsBackend {
  if (!Number.isFinite(opts.lockTimeoutSeconds) || opts.lockTimeoutSeconds < 0)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `lockTimeoutSeconds must be 0 or more seconds, not ${opts.lockTimeoutSeconds}`,
    );
  if (typeof opts.stateDir !== 'string' || !isAbsolute(opts.stateDir))
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `stateDir must be an absolute path, not ${JSON.stringify(opts.stateDir)}`,
    );
  const withTarget = async <T>(fn: (t: AptTarget, stateDir: string) => Promise<T>): Promise<T> => {
    const target = await openAptTarget(opts.root);
    try {
      return await fn(target, rootStateDir(opts.stateDir, target.root));
    } finally {
      await target.dispose();
    }
  };
  const list = () => loadRelevantList(extras.relevantListFile);
  const lock = { lockTimeoutSeconds: opts.lockTimeoutSeconds };
  return {
    name: 'apt',
    status: (ctx: JobContext) => withTarget((t, dir) => offlineStatus(t, dir, ctx)),
    check: (ctx) => {
      // The list is read while the target opens (its guard runs apt-config); awaited where it is used.
      const relevant = list();
      relevant.catch(() => undefined);
      return withTarget((t, dir) => checkUpdates(t, relevant, dir, ctx));
    },
    apply: (ctx) =>
      withTarget(async (t, dir) => applyUpdates(t, await list(), { stateDir: dir, ...lock }, ctx)),
    rollback: (ctx) => withTarget((t, dir) => rollbackLastApply(t, { stateDir: dir, ...lock }, ctx)),
    pin: async () => {
      throw new KintsugiError(
        'OS_NOT_SUPPORTED',
        'apt has no deployments to pin: the installed system is its packages (use apt-mark hold for a package)',
      );
    },
  };
}

export const createAptBackend: OsBackendFactory = (opts) => createAptBackendWith(opts);
