import type { StateCreator } from 'zustand';
import type { ModelsList, ModelsStorageSummary } from '../../../shared/models/contract';
import type { RootState } from '../../app/store';
import { api } from '../../shared/api';
import { toUiError, type UiError } from '../../shared/errors';

// The models slice: main's list (manifests joined with the disk and the Ollama server), the storage summary, and
// the job this page last started per model. Both are read when the page or home opens and after a models job ends.

export const MODEL_JOB_TYPES = new Set(['models-pull', 'models-verify', 'models-remove']);

export type ModelAction = 'pull' | 'verify' | 'remove';

export interface ModelsSlice {
  models?: ModelsList;
  modelsStorage?: ModelsStorageSummary;
  modelsError?: UiError;
  /** By slug: the pull, verify or remove job started from this page. */
  modelJobs: Record<string, { jobId: string; kind: ModelAction }>;
  loadModels(): Promise<void>;
  startModelJob(
    slug: string,
    kind: ModelAction,
    opts?: { deleteWeights?: boolean; typed?: string; allowMetered?: boolean },
  ): Promise<UiError | undefined>;
}

let loadSeq = 0;

export const createModelsSlice: StateCreator<RootState, [], [], ModelsSlice> = (set, get) => ({
  modelJobs: {},

  async loadModels() {
    const seq = ++loadSeq;
    try {
      const [models, modelsStorage] = await Promise.all([api().models.list(), api().models.summary()]);
      if (seq === loadSeq) set({ models, modelsStorage, modelsError: undefined });
    } catch (err) {
      if (seq === loadSeq) set({ modelsError: toUiError(err) });
    }
  },

  async startModelJob(slug, kind, opts = {}) {
    try {
      const { jobId } =
        kind === 'pull'
          ? await api().models.pull({ slug, allowMetered: opts.allowMetered === true })
          : kind === 'verify'
            ? await api().models.verify({ slugs: [slug], all: false })
            : await api().models.remove({
                slug,
                deleteWeights: opts.deleteWeights === true,
                ...(opts.typed ? { typed: opts.typed } : {}),
              });
      get().trackJob({ id: jobId, type: `models-${kind}` });
      set({ modelJobs: { ...get().modelJobs, [slug]: { jobId, kind } } });
      return undefined;
    } catch (err) {
      return toUiError(err);
    }
  },
});
