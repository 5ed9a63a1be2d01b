import type { OsUpgrade } from '../../../../shared/os/model';
import { commitVersion, revParse } from './commit-version';
import { label, type OstreeTarget } from './target';

// The update the stateroot's origin offers, as far as the sysroot's repo knows it (no network: `check` refreshes
// the ref first). An ostree update is a whole new tree, so it is one entry of kind 'image', named by the refspec.

export async function availableUpdate(t: OstreeTarget, signal?: AbortSignal): Promise<OsUpgrade | undefined> {
  const refspec = t.default.refspec;
  if (!refspec) return undefined;
  const next = await revParse(t.repo, refspec, signal);
  if (!next || next === t.default.checksum) return undefined;
  const version = await commitVersion(t.repo, next, signal);
  return {
    name: refspec,
    from: label(t.default),
    to: label({ checksum: next, ...(version !== undefined ? { version } : {}) }),
    fromChecksum: t.default.checksum,
    toChecksum: next,
    security: false,
    kind: 'image',
  };
}
