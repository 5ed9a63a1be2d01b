import type { StateCreator } from 'zustand';
import type { FrameworkCatalog } from '../../../shared/frameworks/contract';
import type { RootState } from '../../app/store';
import { api } from '../../shared/api';
import { toUiError, type UiError } from '../../shared/errors';

// The frameworks slice: main's catalog (recommended + the user's own, each with whether it is installed) and the
// job this page last started per framework. Reading the catalog asks each binary for --version, so it is read when
// the page or home opens and after a framework job ends, not on every render.

export const FRAMEWORK_JOB_TYPES = new Set([
  'framework-install',
  'framework-uninstall',
  'framework-install-system',
  'framework-uninstall-system',
]);

export interface FrameworksSlice {
  catalog?: FrameworkCatalog;
  catalogError?: UiError;
  /** By framework name: the install or uninstall job started from this page. */
  frameworkJobs: Record<string, { jobId: string; kind: 'install' | 'uninstall' }>;
  loadCatalog(): Promise<void>;
  startFrameworkJob(
    name: string,
    kind: 'install' | 'uninstall',
    yes?: boolean,
    allowMetered?: boolean,
  ): Promise<UiError | undefined>;
}

let loadSeq = 0;

export const createFrameworksSlice: StateCreator<RootState, [], [], FrameworksSlice> = (set, get) => ({
  frameworkJobs: {},

  async loadCatalog() {
    const seq = ++loadSeq;
    try {
      const catalog = await api().frameworks.catalog();
      if (seq === loadSeq) set({ catalog, catalogError: undefined });
    } catch (err) {
      if (seq === loadSeq) set({ catalogError: toUiError(err) });
    }
  },

  async startFrameworkJob(name, kind, yes = false, allowMetered = false) {
    try {
      const { jobId } =
        kind === 'install'
          ? await api().frameworks.install({ name, yes, allowMetered })
          : await api().frameworks.uninstall({ name });
      get().trackJob({ id: jobId, type: `framework-${kind}` });
      set({ frameworkJobs: { ...get().frameworkJobs, [name]: { jobId, kind } } });
      return undefined;
    } catch (err) {
      return toUiError(err);
    }
  },
});
