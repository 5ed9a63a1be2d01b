import { create } from 'zustand';
import { createJobsSlice, isTerminal, type JobsSlice } from '../features/jobs/store';
import { FLOW_JOB_TYPES } from '../features/reflash/flow';
import { createReflashSlice, type ReflashSlice } from '../features/reflash/store';
import { api } from '../shared/api';
import { createAppSlice, type AppSlice } from './app-slice';

// One zustand store made of slices: app (settings, route), jobs (every job by id) and one per page that needs
// more (reflash). Pages select what they show; nothing here saves flow state: main owns it.

export type RootState = AppSlice & JobsSlice & ReflashSlice;

export const useStore = create<RootState>()((...a) => ({
  ...createAppSlice(...a),
  ...createJobsSlice(...a),
  ...createReflashSlice(...a),
}));

let started: Promise<void> | undefined;

/** Subscribes to job events first (none is lost while the rest loads), then loads every slice. Runs once. */
export function initStore(): Promise<void> {
  started ??= (async () => {
    api().onJobEvent((event) => {
      const s = useStore.getState();
      s.applyJobEvent(event);
      if (event.type !== 'progress' && event.type !== 'log' && FLOW_JOB_TYPES.has(event.jobType)) {
        if (isTerminal(useStore.getState().jobs[event.jobId]?.state)) s.onFlowJobEnded(event.jobId);
      }
    });
    const s = useStore.getState();
    await Promise.all([s.loadApp(), s.loadJobs(), s.loadReflash()]);
    useStore.setState({ loaded: true });
  })();
  return started;
}
