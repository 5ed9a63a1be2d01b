import { create } from 'zustand';
import {
  createFrameworksSlice,
  FRAMEWORK_JOB_TYPES,
  type FrameworksSlice,
} from '../features/frameworks/store';
import { createJobsSlice, isTerminal, type JobsSlice } from '../features/jobs/store';
import { createKernelSlice, KERNEL_JOB_TYPES, type KernelSlice } from '../features/kernel/store';
import { createModelsSlice, MODEL_JOB_TYPES, type ModelsSlice } from '../features/models/store';
import { createOsSlice, OS_JOB_TYPES, type OsSlice } from '../features/os/store';
import { FLOW_JOB_TYPES } from '../features/reflash/flow';
import { createReflashSlice, type ReflashSlice } from '../features/reflash/store';
import { createRepoSlice, REPO_JOB_TYPES, type RepoSlice } from '../features/repo/store';
import { api } from '../shared/api';
import { createAppSlice, type AppSlice } from './app-slice';

// One zustand store made of slices: app (settings, route), jobs (every job by id) and one per page that needs
// more (reflash, repo, frameworks, models, os, kernel). Pages select what they show; nothing here saves flow state: main owns it.

export type RootState = AppSlice &
  JobsSlice &
  ReflashSlice &
  RepoSlice &
  FrameworksSlice &
  ModelsSlice &
  OsSlice &
  KernelSlice;

export const useStore = create<RootState>()((...a) => ({
  ...createAppSlice(...a),
  ...createJobsSlice(...a),
  ...createReflashSlice(...a),
  ...createRepoSlice(...a),
  ...createFrameworksSlice(...a),
  ...createModelsSlice(...a),
  ...createOsSlice(...a),
  ...createKernelSlice(...a),
}));

let started: Promise<void> | undefined;

/** Subscribes to job events first (none is lost while the rest loads), then loads every slice. Runs once. */
export function initStore(): Promise<void> {
  started ??= (async () => {
    api().onJobEvent((event) => {
      const s = useStore.getState();
      s.applyJobEvent(event);
      // The kernel page shows its jobs' log lines live (the build's output); other pages read the log file.
      if (event.type === 'log') s.applyKernelLog(event);
      if (event.type === 'progress' || event.type === 'log') return;
      if (!isTerminal(useStore.getState().jobs[event.jobId]?.state)) return;
      // Whoever started it (this page, the CLI's schedule, another window): main's state changed, read it again.
      if (FLOW_JOB_TYPES.has(event.jobType)) s.onFlowJobEnded(event.jobId);
      if (REPO_JOB_TYPES.has(event.jobType)) void s.loadRepo();
      if (FRAMEWORK_JOB_TYPES.has(event.jobType)) void s.loadCatalog();
      if (MODEL_JOB_TYPES.has(event.jobType)) void s.loadModels();
      // refresh, not overview: an apply, rollback or pin changed the system, and main's record keeps only what the
      // job returned; refresh re-reads the system (offline) and records it, so the page shows the new deployments.
      if (OS_JOB_TYPES.has(event.jobType)) void s.loadOs('refresh');
      if (KERNEL_JOB_TYPES.has(event.jobType)) void s.loadKernelHost();
    });
    const s = useStore.getState();
    await Promise.all([s.loadApp(), s.loadJobs(), s.loadReflash()]);
    // Home's cards read these; they may take a moment (git, --version of each framework), so the shell shows the
    // page first and the cards fill in.
    void s.loadRepo();
    void s.loadCatalog();
    void s.loadModels();
    void s.loadOs();
    void s.loadKernelOverdue();
    useStore.setState({ loaded: true });
  })();
  return started;
}
