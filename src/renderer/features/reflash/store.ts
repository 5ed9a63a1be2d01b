import type { StateCreator } from 'zustand';
import type { ReflashStep } from '../../../shared/progress';
import type { ChooseImageIntent } from '../../../shared/reflash/contract';
import type { ReflashState } from '../../../shared/reflash/state';
import type { RootState } from '../../app/store';
import { api } from '../../shared/api';
import { toUiError, type UiError } from '../../shared/errors';
import { isTerminal } from '../jobs/store';
import { stepOfJob } from './flow';

// The reflash slice mirrors main's ReflashState and never saves it: every change is an intent sent to
// window.kintsugi.reflash, answered with the new state (or a {code, message, hint} refusal). Jobs a step starts
// are followed in the jobs slice; when one ends, main has recorded its outcome in the state, so the state is read
// again. An intent's answer and the job's events race: the job may end before the answer arrives, so the answer
// never overwrites a newer state, and a job already over when its id arrives triggers the re-read itself.

type Started = { jobId: string; state: ReflashState };
export type IntentOutcome = { ok: true; state: ReflashState } | { ok: false; error: UiError };

export interface ReflashSlice {
  reflash?: ReflashState;
  /** An intent is on its way: primary buttons wait for its answer. */
  reflashBusy: boolean;
  reflashError?: UiError;
  /** The job each step started or re-attached in this session, so its outcome stays shown once it ended. */
  stepJobs: Partial<Record<ReflashStep, string>>;
  /** The "Restore an existing backup" panel on the image step. */
  existingBackupOpen: boolean;
  /** The "Start over" confirmation. */
  startOverOpen: boolean;

  loadReflash(): Promise<void>;
  /** Reads the state again; after jobId ended, until main has recorded it (its activeJob is no longer that job). */
  refreshReflash(endedJobId?: string): Promise<void>;
  onFlowJobEnded(jobId: string): void;

  chooseImage(args: ChooseImageIntent, opts?: Quiet): Promise<IntentOutcome>;
  chooseDrive(device: string): Promise<IntentOutcome>;
  startBackup(backupDir: string): Promise<IntentOutcome>;
  skipBackup(typed: string, opts?: Quiet): Promise<IntentOutcome>;
  startFlash(typed: string, opts?: Quiet): Promise<IntentOutcome>;
  /** typed: the device name, needed when restoring an existing backup onto a drive this flow did not flash. */
  startRestore(typed?: string, opts?: Quiet): Promise<IntentOutcome>;
  useExistingBackup(path: string, opts?: Quiet): Promise<IntentOutcome>;
  goTo(step: ReflashStep): Promise<IntentOutcome>;
  startOver(typed?: string, opts?: Quiet): Promise<IntentOutcome>;

  setReflashError(error?: unknown): void;
  setExistingBackupOpen(open: boolean): void;
  setStartOverOpen(open: boolean): void;
}

/** quiet: the caller (a dialog) shows the refusal itself, the page's error box stays empty. */
type Quiet = { quiet?: boolean };

/** Does `next` come after (or with) `prev`? Main stamps updatedAt on every write. */
function notOlder(prev: ReflashState | undefined, next: ReflashState): boolean {
  return !prev?.updatedAt || !next.updatedAt || next.updatedAt >= prev.updatedAt;
}

const RECHECK_MS = 150;
const RECHECKS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const createReflashSlice: StateCreator<RootState, [], [], ReflashSlice> = (set, get) => {
  const accept = (state: ReflashState) => {
    if (notOlder(get().reflash, state)) set({ reflash: state });
  };

  /** Sends an intent; its answer (the new state) is accepted unless a newer one already arrived. */
  async function intent(call: () => Promise<ReflashState>, opts: Quiet = {}): Promise<IntentOutcome> {
    set({ reflashBusy: true, reflashError: undefined });
    try {
      const state = await call();
      accept(state);
      return { ok: true, state };
    } catch (err) {
      const error = toUiError(err);
      if (!opts.quiet) set({ reflashError: error });
      return { ok: false, error };
    } finally {
      set({ reflashBusy: false });
    }
  }

  /** An intent that starts a job: the job is followed from its id on, even if it already ended. */
  function startJob(
    step: ReflashStep,
    type: string,
    call: () => Promise<Started>,
    opts: Quiet = {},
  ): Promise<IntentOutcome> {
    return intent(async () => {
      const { jobId, state } = await call();
      set({ stepJobs: { ...get().stepJobs, [step]: jobId } });
      const known = get().jobs[jobId];
      if (!known) get().trackJob({ id: jobId, type, startedAt: state.activeJob?.startedAt });
      else if (isTerminal(known.state)) {
        // Its end arrived before this answer: the state main answered with may predate it.
        queueMicrotask(() => void get().refreshReflash(jobId));
      }
      return state;
    }, opts);
  }

  /** Main's state, or undefined after showing why it could not be read. */
  const fetchState = async (): Promise<ReflashState | undefined> => {
    try {
      return await api().reflash.getState();
    } catch (err) {
      set({ reflashError: toUiError(err) });
      return undefined;
    }
  };

  return {
    reflash: undefined,
    reflashBusy: false,
    stepJobs: {},
    existingBackupOpen: false,
    startOverOpen: false,

    async loadReflash() {
      const state = await fetchState();
      if (!state) return;
      accept(state);
      const active = state.activeJob;
      if (!active) return;
      // Re-attach the flow's job after a restart: follow it if it still runs, else show how it ended.
      const step = stepOfJob(active.type) ?? state.step;
      set({ stepJobs: { ...get().stepJobs, [step]: active.jobId } });
      try {
        const entry = await get().fetchJob(active.jobId);
        if (!entry) get().markJobLost({ id: active.jobId, type: active.type, startedAt: active.startedAt });
        else if (entry.state === 'done' || entry.state === 'failed') void get().refreshReflash(active.jobId);
      } catch (err) {
        set({ reflashError: toUiError(err) });
      }
    },

    async refreshReflash(endedJobId) {
      for (let i = 0; i <= RECHECKS; i++) {
        const state = await fetchState();
        if (!state) return;
        accept(state);
        if (!endedJobId || state.activeJob?.jobId !== endedJobId) return;
        // An interrupted job stays the flow's active job until the next intent: that is what Retry is for.
        if (get().jobs[endedJobId]?.state === 'interrupted') return;
        await sleep(RECHECK_MS);
      }
    },

    onFlowJobEnded(jobId) {
      void get().refreshReflash(jobId);
    },

    chooseImage: (args, opts) =>
      startJob(
        'image',
        'image-check',
        () =>
          api().reflash.chooseImage({
            source: args.source,
            ...(args.sha256File ? { sha256File: args.sha256File } : {}),
            ...(args.minisigFile ? { minisigFile: args.minisigFile } : {}),
            ...(args.noBmap ? { noBmap: true } : {}),
            ...(args.forceRaw ? { forceRaw: args.forceRaw } : {}),
            ...(args.allowUnsigned ? { allowUnsigned: args.allowUnsigned } : {}),
          }),
        opts,
      ),
    chooseDrive: (device) => intent(() => api().reflash.chooseDrive({ device })),
    startBackup: (backupDir) => startJob('backup', 'backup', () => api().reflash.startBackup({ backupDir })),
    skipBackup: (typed, opts) => intent(() => api().reflash.skipBackup({ typed }), opts),
    startFlash: (typed, opts) => startJob('flash', 'flash', () => api().reflash.startFlash({ typed }), opts),
    startRestore: (typed, opts) =>
      startJob(
        'restore',
        'restore',
        () => api().reflash.startRestore(typed === undefined ? {} : { typed }),
        opts,
      ),
    useExistingBackup: (path, opts) =>
      intent(async () => {
        const state = await api().reflash.useExistingBackup({ path });
        set({ existingBackupOpen: false, stepJobs: {} });
        return state;
      }, opts),
    goTo: (step) => intent(() => api().reflash.goTo({ step })),
    startOver: (typed, opts) =>
      intent(async () => {
        const state = await api().reflash.startOver(typed === undefined ? {} : { typed });
        // A fresh flow: forget the jobs the old one showed, and take main's answer even if its clock says older.
        set({ stepJobs: {}, startOverOpen: false, reflash: state });
        return state;
      }, opts),

    setReflashError: (error) => set({ reflashError: error === undefined ? undefined : toUiError(error) }),
    setExistingBackupOpen: (open) => set({ existingBackupOpen: open }),
    setStartOverOpen: (open) => set({ startOverOpen: open }),
  };
};
