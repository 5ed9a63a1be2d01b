import { create } from 'zustand';
import type { ErrorPayload } from '../shared/errors';
import type { JobEvent, JobRequest, JobResults, JobType } from '../shared/jobs';
import type { Settings, WizardState, WizardStep } from '../shared/model';
import type { Progress } from '../shared/progress';
import { api } from './api';

// The wizard's state lives in main (on disk); this store mirrors it, saves after every change and follows the
// one running job. After a restart a job that was running is re-attached if main still knows it, else it is
// shown as interrupted with Retry.

export type UiError = Pick<ErrorPayload, 'code' | 'message' | 'hint' | 'detail'>;

export interface JobView {
  jobId?: string;
  request: JobRequest;
  step: WizardStep;
  state: 'running' | 'failed' | 'interrupted';
  progress?: Progress;
  error?: UiError;
}

interface Store {
  loaded: boolean;
  wizard: WizardState;
  settings: Settings;
  job?: JobView;
  error?: UiError;
  settingsOpen: boolean;
  init(): Promise<void>;
  update(patch: Partial<WizardState>): Promise<void>;
  goTo(step: WizardStep): Promise<void>;
  saveSettings(patch: Partial<Settings>): Promise<void>;
  startJob(step: WizardStep, request: JobRequest): Promise<void>;
  cancelJob(): Promise<void>;
  retryJob(): Promise<void>;
  resetWizard(): Promise<void>;
  setError(error?: unknown): void;
  setSettingsOpen(open: boolean): void;
}

export function toUiError(err: unknown): UiError {
  const e = err as Partial<UiError> | undefined;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return { code: e.code, message: e.message, hint: e.hint, detail: e.detail } as UiError;
  }
  return { code: 'INTERNAL', message: 'Something went wrong inside Kintsugi Updater.', detail: String(err) };
}

const stepOf: Record<JobType, WizardStep> = {
  'image-check': 'image',
  'find-persistence': 'drive',
  backup: 'backup',
  flash: 'flash',
  'verify-drive': 'flash',
  restore: 'restore',
};

/** What a finished job changes in the wizard state. */
function applyResult(
  w: WizardState,
  type: JobType,
  result: unknown,
  elapsedMs: number,
): Partial<WizardState> {
  const durations = { ...w.durations };
  const speeds = { ...(w.speeds ?? {}) };
  const step = stepOf[type];
  durations[step] = (durations[step] ?? 0) + elapsedMs;
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  // Small jobs measure start-up overhead, not throughput: keep the defaults until a job moved 32 MiB or more.
  const MIN_MEASURED = 32 * 1024 * 1024;
  switch (type) {
    case 'image-check': {
      const r = result as JobResults['image-check'];
      if (r.fileSize >= MIN_MEASURED) speeds.hash = r.fileSize / seconds;
      return { image: r, durations, speeds };
    }
    case 'backup': {
      const r = result as JobResults['backup'];
      const { path, ...manifest } = r;
      if (r.bytes >= MIN_MEASURED) speeds.backup = r.bytes / seconds;
      return { backup: { path, manifest }, backupSkipped: false, durations, speeds };
    }
    case 'flash':
    case 'verify-drive': {
      const r = result as JobResults['flash'];
      if (r.bytesWritten >= MIN_MEASURED && r.durationMs > 0)
        speeds.flash = r.bytesWritten / (r.durationMs / 1000);
      return { flash: r, durations, speeds };
    }
    case 'restore': {
      const r = result as JobResults['restore'];
      if (r.bytes >= MIN_MEASURED) speeds.restore = r.bytes / seconds;
      return {
        restore: {
          target: r.target,
          files: r.files,
          bytes: r.bytes,
          verified: r.verified,
          durationMs: r.durationMs,
        },
        durations,
        speeds,
      };
    }
    default:
      return { durations };
  }
}

export const useStore = create<Store>()((set, get) => {
  // Events can outrun startJob's answer (a job that fails at once): keep them until the id is known.
  const early = new Map<string, JobEvent[]>();
  const onEvent = (event: JobEvent) => {
    const { job, wizard } = get();
    if (job && job.state === 'running' && job.jobId === undefined) {
      early.set(event.jobId, [...(early.get(event.jobId) ?? []), event]);
      return;
    }
    if (!job || job.jobId !== event.jobId) return;
    if (event.type === 'progress') set({ job: { ...job, progress: event.progress } });
    else if (event.type === 'failed') {
      set({ job: { ...job, state: 'failed', error: toUiError(event.error) } });
      void get().update({ activeJob: undefined });
    } else if (event.type === 'done') {
      const started = wizard.activeJob ? Date.parse(wizard.activeJob.startedAt) : Date.now();
      set({ job: undefined });
      void get().update({
        ...applyResult(wizard, job.request.type, event.result, Date.now() - started),
        activeJob: undefined,
      });
    }
  };

  return {
    loaded: false,
    wizard: { step: 'image', durations: {} },
    settings: { includeLoop: false, dataRoot: '/data' },
    settingsOpen: false,

    async init() {
      api().onJobEvent(onEvent);
      try {
        const [wizard, settings] = await Promise.all([api().getWizardState(), api().getSettings()]);
        set({ wizard, settings, loaded: true });
        const active = wizard.activeJob;
        if (!active) return;
        const step = stepOf[active.request.type];
        const status = await api().getJob({ jobId: active.jobId });
        if (!status) {
          // Main does not know the job: the app died while it ran.
          set({ job: { request: active.request, step, state: 'interrupted' } });
        } else if (status.state === 'running') {
          set({
            job: {
              jobId: active.jobId,
              request: active.request,
              step,
              state: 'running',
              progress: status.last,
            },
          });
        } else {
          set({ job: { jobId: active.jobId, request: active.request, step, state: 'running' } });
          onEvent(
            status.state === 'done'
              ? { jobId: active.jobId, type: 'done', result: status.result }
              : { jobId: active.jobId, type: 'failed', error: status.error },
          );
        }
      } catch (err) {
        set({ loaded: true, error: toUiError(err) });
      }
    },

    async update(patch) {
      const next = { ...get().wizard, ...patch } as WizardState;
      for (const k of Object.keys(patch) as (keyof WizardState)[]) if (patch[k] === undefined) delete next[k];
      set({ wizard: next });
      try {
        await api().saveWizardState(next);
      } catch (err) {
        set({ error: toUiError(err) });
      }
    },

    goTo: (step) => get().update({ step }),

    async saveSettings(patch) {
      // Optimistic: controls reflect the change at once; main's answer (validated, normalised) then wins.
      set({ settings: { ...get().settings, ...patch } });
      try {
        set({ settings: await api().saveSettings(patch) });
      } catch (err) {
        set({ error: toUiError(err) });
      }
    },

    async startJob(step, request) {
      set({ job: { request, step, state: 'running' }, error: undefined });
      try {
        const { jobId } = await api().startJob(request);
        set({ job: { ...get().job!, jobId } });
        await get().update({ activeJob: { jobId, request, startedAt: new Date().toISOString() } });
        const missed = early.get(jobId) ?? [];
        early.clear();
        for (const e of missed) onEvent(e);
      } catch (err) {
        set({ job: { request, step, state: 'failed', error: toUiError(err) } });
      }
    },

    async cancelJob() {
      const job = get().job;
      if (job?.jobId) await api().cancelJob({ jobId: job.jobId });
    },

    async retryJob() {
      const job = get().job;
      if (job) await get().startJob(job.step, job.request);
    },

    async resetWizard() {
      set({ wizard: await api().resetWizard(), job: undefined, error: undefined });
    },

    setError: (error) => set({ error: error === undefined ? undefined : toUiError(error) }),
    setSettingsOpen: (open) => set({ settingsOpen: open }),
  };
});

/** The job view for one step, if the current job belongs to it. */
export function useStepJob(step: WizardStep): JobView | undefined {
  return useStore((s) => (s.job?.step === step ? s.job : undefined));
}
