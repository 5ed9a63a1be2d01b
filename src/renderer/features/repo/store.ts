import type { StateCreator } from 'zustand';
import type { PullPreview, ReflogEntry, RepoStatus } from '../../../shared/repo/model';
import type { RootState } from '../../app/store';
import { api } from '../../shared/api';
import { toUiError, type UiError } from '../../shared/errors';

// The docs & scripts slice: main's offline answers (status, what a pull would bring, the reflog) and the jobs this
// page started, one per action, so each action's progress or failure stays beside its button. Main owns the clone;
// after any repo job ends the slice reads everything again.

export const REPO_JOB_TYPES = new Set([
  'repo-check',
  'repo-pull',
  'repo-pin',
  'repo-unpin',
  'repo-rollback',
  'repo-clone',
  'repo-link',
]);

export type RepoAction = 'check' | 'pull' | 'pin' | 'unpin' | 'rollback' | 'clone' | 'link';

export interface RepoSlice {
  repo?: {
    status: RepoStatus;
    /** Only for a clone with an upstream; undefined otherwise (or when it could not be read: `previewError`). */
    preview?: PullPreview;
    previewError?: UiError;
    reflog: ReflogEntry[];
  };
  /** Why the status could not be read (shown instead of a page of guesses). */
  repoError?: UiError;
  /** The job each action last started in this session. */
  repoJobs: Partial<Record<RepoAction, string>>;
  loadRepo(): Promise<void>;
  /** Starts ACTION's job through START; an immediate refusal (bad args, a gate) comes back as the UiError. */
  startRepoJob(action: RepoAction, start: () => Promise<{ jobId: string }>): Promise<UiError | undefined>;
}

let loadSeq = 0;

export const createRepoSlice: StateCreator<RootState, [], [], RepoSlice> = (set, get) => ({
  repoJobs: {},

  async loadRepo() {
    // Of overlapping loads (a job ended while the page opened) only the last answer is taken.
    const seq = ++loadSeq;
    try {
      const status = await api().repo.status();
      let preview: PullPreview | undefined;
      let previewError: UiError | undefined;
      let reflog: ReflogEntry[] = [];
      if (status.cloned) {
        [preview, previewError] = status.upstream
          ? await api()
              .repo.preview()
              .then((p) => [p, undefined] as const)
              .catch((e: unknown) => [undefined, toUiError(e)] as const)
          : [undefined, undefined];
        reflog = await api()
          .repo.reflog()
          .catch(() => []);
      }
      if (seq === loadSeq) set({ repo: { status, preview, previewError, reflog }, repoError: undefined });
    } catch (err) {
      if (seq === loadSeq) set({ repoError: toUiError(err) });
    }
  },

  async startRepoJob(action, start) {
    try {
      const { jobId } = await start();
      get().trackJob({ id: jobId, type: `repo-${action}` });
      set({ repoJobs: { ...get().repoJobs, [action]: jobId } });
      return undefined;
    } catch (err) {
      return toUiError(err);
    }
  },
});
