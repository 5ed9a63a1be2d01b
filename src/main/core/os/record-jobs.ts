import { toErrorPayload } from '../../../shared/errors';
import type { OsApplyResult, OsRollbackResult, OsState } from '../../../shared/os/model';
import type { JobEvent } from '../../../shared/registry';
import type { JobRunner } from '../jobs/job-runner';
import type { OsStateStore } from './state-store';

// Whoever starts an OS job (the page, the scheduler, the CLI), its outcome lands in the caller's OsStateStore:
// subscribed to the runner's events, so no start site can forget it. A check's failure is recorded too (the tray
// warns when none has succeeded for a week). An apply or rollback changes the system: the last state is then out
// of date, and its reboot flag is the freshest thing known, so that is what is kept until the next read.

/** The flow name background checks start with (the scheduler), so their outcome is told apart from the person's. */
export const OS_BACKGROUND_FLOW = 'os-background';

export function recordOsJobs(runner: JobRunner, store: OsStateStore, now: () => Date = () => new Date()) {
  return runner.onEvent((e: JobEvent) => {
    if (e.type !== 'done' && e.type !== 'failed') return;
    const by = runner.status(e.jobId)?.flow === OS_BACKGROUND_FLOW ? 'background' : 'user';
    const at = now().toISOString();
    let write: Promise<unknown> | undefined;
    if (e.jobType === 'os-check') {
      if (e.type === 'done') write = store.recordCheck({ at, ok: true, by }, e.result);
      else {
        const { code, message, detail } = toErrorPayload(e.error);
        write = store.recordCheck({
          at,
          ok: false,
          by,
          error: { code, message, ...(detail ? { detail } : {}) },
        });
      }
    } else if (e.type === 'done') {
      if (e.jobType === 'os-pin' || e.jobType === 'os-repair')
        write = store.recordState(e.jobType === 'os-pin' ? 'pin' : 'repair', e.result);
      else if (e.jobType === 'os-apply' || e.jobType === 'os-rollback')
        write = store.update((r) => ({
          ...r,
          ...(r.state ? { state: afterChange(r.state, e.result) } : {}),
          stateFrom: e.jobType === 'os-apply' ? 'apply' : 'rollback',
        }));
    }
    void write?.catch(() => undefined);
  });
}

/** The last state after an apply or rollback: no updates pending from the applied set, the new reboot state. */
function afterChange(state: OsState, result: OsApplyResult | OsRollbackResult): OsState {
  const applied = 'applied' in result ? new Set(result.applied.map((u) => u.name)) : undefined;
  return {
    ...state,
    updates: applied ? state.updates.filter((u) => !applied.has(u.name)) : state.updates,
    reboot: result.reboot,
    stale: true,
  };
}
