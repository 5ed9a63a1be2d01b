import type { OsState } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import type { OsBackendOptions } from '../backend';
import { availableUpdate } from './available';
import { splitRefspec } from './origin-file';
import { ostree } from './run-ostree';
import { ostreeState } from './state';
import { loadTarget } from './target';

// A check fetches only the remote ref's commit object (`pull --commit-metadata-only`: a few hundred bytes, no
// tree), which moves the local remote ref; comparing it with the deployed commit is then the same offline
// comparison `status` makes. A refspec without a remote (a local ref) has nothing to fetch.

export async function checkOstree(
  opts: Pick<OsBackendOptions, 'sysroot' | 'osName'>,
  ctx: JobContext,
): Promise<OsState> {
  const t = await loadTarget(opts, ctx.signal);
  const refspec = t.default.refspec;
  if (refspec && splitRefspec(refspec).remote) {
    ctx.progress({ kind: 'os', phase: 'refresh', message: `fetching the latest commit of ${refspec}` });
    await ostree([`--repo=${t.repo}`, 'pull', '--commit-metadata-only', refspec], { signal: ctx.signal });
  }
  ctx.progress({ kind: 'os', phase: 'check', message: 'comparing with the deployed commit' });
  return ostreeState(t, await availableUpdate(t, ctx.signal), new Date().toISOString());
}
