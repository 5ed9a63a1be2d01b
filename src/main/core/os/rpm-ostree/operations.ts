import { KintsugiError } from '../../../../shared/errors';
import type { OsApplyResult, OsRollbackResult, OsState } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import type { OsBackendOptions } from '../backend';
import { rollbackTarget } from '../ostree/rollback-target';
import { ostree } from '../ostree/run-ostree';
import { readStatus } from './read-status';
import { releaseOf } from './release';
import { EXIT_UNCHANGED, rpmOstree } from './run-rpm-ostree';
import type { RpmOstreeStatus } from './status-json';
import { label, rpmOstreeState, viewOf } from './to-state';
import { cachedUpdates } from './updates';
import { waitIdle, type WaitOptions } from './wait-idle';

// The rpm-ostree backend's verbs. Each one that starts a daemon transaction (check, upgrade, rollback) first waits
// for a running one to end (wait-idle.ts), and once more if another client slipped in between.

export type RpmOstreeOptions = Pick<OsBackendOptions, 'sysroot' | 'osName'>;

/** `--sysroot` only when it is not /: the daemon's own default, and an option older clients may not know. */
export function sysrootArgs(opts: RpmOstreeOptions): string[] {
  return opts.sysroot === '/' ? [] : [`--sysroot=${opts.sysroot}`];
}

export async function stateOf(
  opts: RpmOstreeOptions,
  s: RpmOstreeStatus,
  extra: { checkedAt?: string; noUpdate?: boolean } = {},
): Promise<OsState> {
  const v = viewOf(s, opts.osName);
  return rpmOstreeState(s, opts.osName, await releaseOf(opts.sysroot, v.default), extra);
}

/** Runs FN once rpm-ostree is idle; if another transaction started in between, waits again and retries once. */
async function whenIdle<T>(
  ctx: JobContext,
  wait: WaitOptions,
  fn: (s: RpmOstreeStatus) => Promise<T>,
): Promise<T> {
  try {
    return await fn(await waitIdle(ctx, wait));
  } catch (err) {
    if (!(err instanceof KintsugiError) || err.code !== 'OS_TRANSACTION_ACTIVE') throw err;
    return fn(await waitIdle(ctx, wait));
  }
}

export function checkRpmOstree(opts: RpmOstreeOptions, ctx: JobContext, wait: WaitOptions): Promise<OsState> {
  return whenIdle(ctx, wait, async () => {
    ctx.progress({ kind: 'os', phase: 'refresh', message: 'rpm-ostree upgrade --check' });
    // 77: no update (src/app/rpmostree-builtin-upgrade.cxx); 0: the daemon refreshed its cached update.
    const r = await rpmOstree(['upgrade', '--check', ...sysrootArgs(opts)], {
      signal: ctx.signal,
      okCodes: [EXIT_UNCHANGED],
    });
    ctx.progress({ kind: 'os', phase: 'check', message: 'reading the cached update' });
    const s = await readStatus(ctx.signal, sysrootArgs(opts));
    return stateOf(opts, s, { checkedAt: new Date().toISOString(), noUpdate: r.exitCode === EXIT_UNCHANGED });
  });
}

export function upgradeRpmOstree(
  opts: RpmOstreeOptions,
  ctx: JobContext,
  wait: WaitOptions,
): Promise<OsApplyResult> {
  return whenIdle(ctx, wait, async (before) => {
    const v = viewOf(before, opts.osName);
    const planned = cachedUpdates(before['cached-update'], v.current);
    ctx.progress({ kind: 'os', phase: 'download', message: 'rpm-ostree upgrade (downloads and stages)' });
    const r = await rpmOstree(
      [
        'upgrade',
        '--unchanged-exit-77',
        ...(opts.osName ? [`--os=${opts.osName}`] : []),
        ...sysrootArgs(opts),
      ],
      { signal: ctx.signal, okCodes: [EXIT_UNCHANGED] },
    );
    const after = await stateOf(opts, await readStatus(ctx.signal, sysrootArgs(opts)));
    if (r.exitCode === EXIT_UNCHANGED)
      return { backend: 'rpm-ostree', applied: [], hooks: [], reboot: after.reboot };
    const next = after.deployments.find((d) => d.osName === v.osName)!;
    ctx.progress({
      kind: 'os',
      phase: 'deploy',
      message: `${label(next)} is ${next.staged ? 'staged' : 'deployed'}`,
    });
    const whole = {
      name: next.origin ?? v.osName,
      from: label(v.current),
      to: label(next),
      fromChecksum: v.current.checksum,
      toChecksum: next.checksum,
      security: planned.some((u) => u.security),
      kind: 'image' as const,
    };
    return {
      backend: 'rpm-ostree',
      applied: planned.length ? planned : [whole],
      hooks: [],
      reboot: after.reboot,
    };
  });
}

export function rollbackRpmOstree(
  opts: RpmOstreeOptions,
  ctx: JobContext,
  wait: WaitOptions,
): Promise<OsRollbackResult> {
  return whenIdle(ctx, wait, async (before) => {
    const v = viewOf(before, opts.osName);
    const order = before.deployments.map((d, index) => ({
      index,
      osName: d.osname,
      booted: d.booted,
      staged: d.staged,
    }));
    const t = rollbackTarget(order, v.osName);
    // Said before asking the daemon, in words: its own refusal is "Staged deployment (remove with cleanup -p)".
    if (t.kind === 'staged') {
      const staged = before.deployments[t.stagedIndex]!;
      throw new KintsugiError(
        'OS_STAGED_BLOCKS_ROLLBACK',
        `${label(staged)} is staged: it is only written when the system shuts down, so the deployments cannot be reordered yet`,
      );
    }
    if (t.kind === 'none')
      throw new KintsugiError('OS_NO_ROLLBACK_TARGET', `"${v.osName}" has a single deployment`);
    const target = before.deployments[t.index]!;
    ctx.progress({ kind: 'os', phase: 'rollback', message: `making ${label(target)} the default` });
    await rpmOstree(['rollback', ...sysrootArgs(opts)], { signal: ctx.signal });
    const after = await stateOf(opts, await readStatus(ctx.signal, sysrootArgs(opts)));
    const now = after.deployments.find((d) => d.osName === v.osName);
    if (now?.checksum !== target.checksum)
      throw new KintsugiError(
        'OS_RPM_OSTREE_FAILED',
        `rpm-ostree rollback succeeded but the default is ${now ? label(now) : 'none'}, not ${label(target)}`,
      );
    return {
      backend: 'rpm-ostree',
      actions: [
        `${label(target)} is now the default at the next boot (rpm-ostree rollback; nothing was deleted)`,
      ],
      caveats: [],
      reboot: after.reboot,
    };
  });
}

/** rpm-ostree has no pin verb: `ostree admin pin` is the documented way on rpm-ostree systems too. */
export async function pinRpmOstree(
  opts: RpmOstreeOptions,
  ctx: JobContext,
  index: number,
  pinned: boolean,
): Promise<OsState> {
  if (!Number.isInteger(index) || index < 0)
    throw new KintsugiError('INVALID_ARGUMENT', `a deployment number is 0 or more, got ${index}`);
  const s = await readStatus(ctx.signal, sysrootArgs(opts));
  if (index >= s.deployments.length)
    throw new KintsugiError(
      'OS_DEPLOYMENT_NOT_FOUND',
      `deployment ${index} does not exist; there are ${s.deployments.length}`,
    );
  ctx.progress({
    kind: 'os',
    phase: 'pin',
    message: `${pinned ? 'pinning' : 'unpinning'} deployment ${index}`,
  });
  await ostree(['admin', 'pin', `--sysroot=${opts.sysroot}`, ...(pinned ? [] : ['--unpin']), String(index)], {
    signal: ctx.signal,
  });
  return stateOf(opts, await readStatus(ctx.signal, sysrootArgs(opts)));
}
