import type { StateCreator } from 'zustand';
import type { OsOverview } from '../../../shared/os/contract';
import type { RootState } from '../../app/store';
import { api } from '../../shared/api';
import { toUiError, type UiError } from '../../shared/errors';

// The OS slice: main's overview (offline: last state, badge numbers, backend) and the job this page last started
// per action. The page names no system: every call is an intent (check, apply, pin deployment 2) and main picks
// the target from its own config. Read when the page or home opens and again when any OS job ends.

export const OS_JOB_TYPES = new Set(['os-check', 'os-apply', 'os-rollback', 'os-pin', 'os-repair']);

export type OsAction = 'check' | 'apply' | 'rollback' | 'pin' | 'repair';

export interface OsSlice {
  osOverview?: OsOverview;
  osError?: UiError;
  /** By action: the job this page started last (pin also says which deployment, for its row). */
  osJobs: Partial<Record<OsAction, { jobId: string; index?: number }>>;
  /** The action this page started last: its job is the one the page shows. */
  osLast?: OsAction;
  /** overview (cheap, the record) or refresh (re-reads deployments and reboot state, unprivileged). */
  loadOs(how?: 'overview' | 'refresh'): Promise<void>;
  startOsJob(
    action: OsAction,
    opts?: { allowMetered?: boolean; index?: number; pinned?: boolean },
  ): Promise<UiError | undefined>;
}

let loadSeq = 0;

export const createOsSlice: StateCreator<RootState, [], [], OsSlice> = (set, get) => ({
  osJobs: {},

  async loadOs(how = 'overview') {
    const seq = ++loadSeq;
    try {
      const osOverview = await (how === 'refresh' ? api().os.refresh() : api().os.overview());
      if (seq === loadSeq) set({ osOverview, osError: undefined });
    } catch (err) {
      if (seq === loadSeq) set({ osError: toUiError(err) });
    }
  },

  async startOsJob(action, opts = {}) {
    try {
      const os = api().os;
      const allowMetered = opts.allowMetered === true;
      const { jobId } =
        action === 'check'
          ? await os.check({ allowMetered })
          : action === 'apply'
            ? await os.apply({ allowMetered })
            : action === 'rollback'
              ? await os.rollback()
              : action === 'repair'
                ? await os.repair()
                : await os.pin({ index: opts.index ?? 0, pinned: opts.pinned === true });
      get().trackJob({ id: jobId, type: `os-${action}` });
      const entry = action === 'pin' ? { jobId, index: opts.index } : { jobId };
      set({ osJobs: { ...get().osJobs, [action]: entry }, osLast: action });
      return undefined;
    } catch (err) {
      return toUiError(err);
    }
  },
});
