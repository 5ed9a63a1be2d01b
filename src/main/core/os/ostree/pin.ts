import type { OsState } from '../../../../shared/os/model';
import { KintsugiError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/context';
import type { OsBackendOptions } from '../backend';
import { availableUpdate } from './available';
import { ostree } from './run-ostree';
import { ostreeState } from './state';
import { loadTarget } from './target';

// A pinned deployment is never removed by an upgrade or a cleanup (`ostree admin pin N`, `--unpin`). INDEX is the
// position in the bootloader order across stateroots, as ostree numbers them.

export async function pinOstree(
  opts: Pick<OsBackendOptions, 'sysroot' | 'osName'>,
  ctx: JobContext,
  index: number,
  pinned: boolean,
): Promise<OsState> {
  if (!Number.isInteger(index) || index < 0)
    throw new KintsugiError('INVALID_ARGUMENT', `a deployment number is 0 or more, got ${index}`);
  const t = await loadTarget(opts, ctx.signal);
  if (index >= t.entries.length)
    throw new KintsugiError(
      'OS_DEPLOYMENT_NOT_FOUND',
      `deployment ${index} does not exist; there are ${t.entries.length} (0 to ${t.entries.length - 1})`,
    );
  ctx.progress({
    kind: 'os',
    phase: 'pin',
    message: `${pinned ? 'pinning' : 'unpinning'} deployment ${index}`,
  });
  await ostree(['admin', 'pin', `--sysroot=${t.sysroot}`, ...(pinned ? [] : ['--unpin']), String(index)], {
    signal: ctx.signal,
  });
  const after = await loadTarget(opts, ctx.signal);
  return ostreeState(after, await availableUpdate(after, ctx.signal));
}
