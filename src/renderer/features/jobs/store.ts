import type { StateCreator } from 'zustand';
import type { JobRecord, JobState } from '../../../shared/jobs/record';
import type { Progress } from '../../../shared/progress';
import { JOBS, type JobEvent, type JobType } from '../../../shared/registry';
import type { RootState } from '../../app/store';
import { api } from '../../shared/api';
import { toUiError, type UiError } from '../../shared/errors';

// The jobs slice: every job main knows of, keyed by id, several at once. Fed by the job events (all of them,
// from the moment the app starts, so an event that outruns an intent's answer is kept) and by jobs.list / get.
// Main owns the records; this is a mirror that never writes back.

export interface JobEntry {
  id: string;
  type: string;
  title: string;
  state: JobState;
  startedAt?: string;
  endedAt?: string;
  /** The last progress seen (from events, or the record's `last` after a restart). */
  progress?: Progress;
  error?: UiError;
  result?: unknown;
  /** As main stored them (secrets removed): what an interrupted job left is told from these. */
  params?: unknown;
  flow?: string;
}

export interface JobsSlice {
  jobs: Record<string, JobEntry>;
  /** Set once jobs.list answered. */
  jobsListed: boolean;
  applyJobEvent(event: JobEvent): void;
  mergeJobRecord(record: JobRecord): JobEntry;
  /** A job an intent just started: listed as running until its events or its record say more. */
  trackJob(entry: Pick<JobEntry, 'id' | 'type' | 'startedAt'>): void;
  /** Records a job main has no record of (a flow's active job after a crash) as interrupted. */
  markJobLost(entry: Pick<JobEntry, 'id' | 'type' | 'startedAt'>): void;
  loadJobs(): Promise<void>;
  fetchJob(jobId: string): Promise<JobEntry | undefined>;
  cancelJob(jobId: string): Promise<void>;
}

export const isTerminal = (state: JobState | undefined): boolean =>
  state === 'done' || state === 'failed' || state === 'interrupted';

export const jobTitle = (type: string): string =>
  Object.prototype.hasOwnProperty.call(JOBS, type) ? JOBS[type as JobType].title : type;

/** Newest first, running ones ahead of the rest (as jobs.list orders them). */
export function sortJobs(jobs: Record<string, JobEntry>): JobEntry[] {
  return Object.values(jobs).sort((a, b) => {
    const run = Number(b.state === 'running') - Number(a.state === 'running');
    return run || (b.startedAt ?? '').localeCompare(a.startedAt ?? '');
  });
}

export const createJobsSlice: StateCreator<RootState, [], [], JobsSlice> = (set, get) => ({
  jobs: {},
  jobsListed: false,

  applyJobEvent(event) {
    const prev = get().jobs[event.jobId];
    const base: JobEntry = prev ?? {
      id: event.jobId,
      type: event.jobType,
      title: jobTitle(event.jobType),
      state: 'running',
      startedAt: new Date().toISOString(),
    };
    let next: JobEntry;
    switch (event.type) {
      case 'started':
        // Main started a job (this page's or any other's): list it with the title main gave it.
        next = { ...base, title: event.title };
        break;
      case 'progress':
        // A late progress event never revives a finished job.
        next = { ...base, progress: event.progress };
        break;
      case 'log':
        return;
      case 'done':
        next = { ...base, state: 'done', result: event.result, endedAt: new Date().toISOString() };
        break;
      case 'failed':
        next = { ...base, state: 'failed', error: toUiError(event.error), endedAt: new Date().toISOString() };
        break;
    }
    set({ jobs: { ...get().jobs, [event.jobId]: next } });
  },

  mergeJobRecord(record) {
    const prev = get().jobs[record.id];
    // An event may already have said the job ended while the record was on its way: the end wins.
    const keepEnd = prev && isTerminal(prev.state) && record.state === 'running';
    const entry: JobEntry = {
      id: record.id,
      type: record.type,
      title: record.title || jobTitle(record.type),
      state: keepEnd ? prev.state : record.state,
      startedAt: record.startedAt,
      endedAt: keepEnd ? prev.endedAt : record.endedAt,
      progress: prev?.progress ?? record.last,
      error: keepEnd ? prev.error : record.error ? toUiError(record.error) : undefined,
      result: keepEnd ? prev.result : record.result,
      params: record.params,
      flow: record.flow,
    };
    if (!keepEnd && record.last && record.state !== 'running') entry.progress = record.last;
    set({ jobs: { ...get().jobs, [record.id]: entry } });
    return entry;
  },

  trackJob({ id, type, startedAt }) {
    if (get().jobs[id]) return;
    const entry: JobEntry = {
      id,
      type,
      title: jobTitle(type),
      state: 'running',
      startedAt: startedAt ?? new Date().toISOString(),
    };
    set({ jobs: { ...get().jobs, [id]: entry } });
  },

  markJobLost({ id, type, startedAt }) {
    const prev = get().jobs[id];
    if (prev && isTerminal(prev.state)) return;
    set({
      jobs: {
        ...get().jobs,
        [id]: { ...prev, id, type, title: prev?.title ?? jobTitle(type), state: 'interrupted', startedAt },
      },
    });
  },

  async loadJobs() {
    try {
      const records = await api().jobs.list();
      for (const r of records) get().mergeJobRecord(r);
      set({ jobsListed: true });
    } catch (err) {
      get().setError(err);
    }
  },

  async fetchJob(jobId) {
    const record = await api().jobs.get({ jobId });
    return record ? get().mergeJobRecord(record) : undefined;
  },

  async cancelJob(jobId) {
    try {
      await api().jobs.cancel({ jobId });
    } catch (err) {
      get().setError(err);
    }
  },
});
