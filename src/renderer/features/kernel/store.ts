import type { StateCreator } from 'zustand';
import type { KernelHosts, KernelStatus } from '../../../shared/kernel/contract';
import type { HostManifest } from '../../../shared/kernel/model';
import type { JobEvent } from '../../../shared/registry';
import type { RootState } from '../../app/store';
import { api } from '../../shared/api';
import { toUiError, type UiError } from '../../shared/errors';
import type { KernelAction } from '../../../shared/kernel/page-rules';

// The kernel slice: the workspace's hosts, the chosen host's manifest and install status (read again when a
// kernel job ends), the jobs this page started per host, and the live log lines of those jobs (the job events'
// log messages: the build's makepkg output streams here while it runs; the jobs page reads the file instead).

export const KERNEL_JOB_TYPES = new Set([
  'kernel.promote',
  'kernel.build',
  'kernel.install',
  'kernel.rollback',
]);

/** Lines kept per job: enough to see what the build is doing, bounded so a long build cannot grow the page. */
export const KERNEL_LOG_LINES = 400;

export interface KernelSlice {
  kernelHosts?: KernelHosts;
  kernelError?: UiError;
  kernelHost?: string;
  kernelManifest?: HostManifest;
  kernelStatus?: KernelStatus;
  kernelHostError?: UiError;
  /** By host, by action: the job this page started last. */
  kernelJobs: Record<string, Partial<Record<KernelAction, string>>>;
  /** By job id: its log lines so far. */
  kernelLogs: Record<string, string[]>;
  /** Hosts whose heartbeat is overdue on this machine (Home's card; the tray reads the same call). */
  kernelOverdue: string[];
  loadKernelOverdue(): Promise<void>;
  loadKernelHosts(): Promise<void>;
  selectKernelHost(host: string): Promise<void>;
  loadKernelHost(): Promise<void>;
  startKernelJob(host: string, action: KernelAction, packageFile?: string): Promise<UiError | undefined>;
  applyKernelLog(event: Extract<JobEvent, { type: 'log' }>): void;
}

let hostSeq = 0;

export const createKernelSlice: StateCreator<RootState, [], [], KernelSlice> = (set, get) => ({
  kernelJobs: {},
  kernelLogs: {},
  kernelOverdue: [],

  async loadKernelOverdue() {
    // Home shows a card only when this says something; an error here is the kernel page's to show.
    const kernelOverdue = await api()
      .kernel.overdue()
      .catch(() => []);
    set({ kernelOverdue });
  },

  async loadKernelHosts() {
    try {
      const kernelHosts = await api().kernel.hosts();
      set({ kernelHosts, kernelError: undefined });
      const current = get().kernelHost;
      const next = current && kernelHosts.hosts.includes(current) ? current : kernelHosts.hosts[0];
      if (next) await get().selectKernelHost(next);
    } catch (err) {
      set({ kernelHosts: undefined, kernelError: toUiError(err) });
    }
  },

  async selectKernelHost(host) {
    if (host !== get().kernelHost)
      set({
        kernelHost: host,
        kernelManifest: undefined,
        kernelStatus: undefined,
        kernelHostError: undefined,
      });
    await get().loadKernelHost();
  },

  async loadKernelHost() {
    const host = get().kernelHost;
    if (!host) return;
    const seq = ++hostSeq;
    try {
      const [kernelManifest, kernelStatus] = await Promise.all([
        api().kernel.manifest({ host }),
        api().kernel.status({ host }),
      ]);
      if (seq === hostSeq) set({ kernelManifest, kernelStatus, kernelHostError: undefined });
      void get().loadKernelOverdue();
    } catch (err) {
      if (seq === hostSeq) set({ kernelHostError: toUiError(err) });
    }
  },

  async startKernelJob(host, action, packageFile) {
    try {
      const { jobId } =
        action === 'install'
          ? await api().kernel.install({ host, packageFile: packageFile ?? '' })
          : await api().kernel[action]({ host });
      get().trackJob({ id: jobId, type: `kernel.${action}` });
      const jobs = get().kernelJobs;
      set({ kernelJobs: { ...jobs, [host]: { ...jobs[host], [action]: jobId } } });
      return undefined;
    } catch (err) {
      return toUiError(err);
    }
  },

  applyKernelLog(event) {
    if (!KERNEL_JOB_TYPES.has(event.jobType)) return;
    const logs = get().kernelLogs;
    const lines = [...(logs[event.jobId] ?? []), event.message].slice(-KERNEL_LOG_LINES);
    set({ kernelLogs: { ...logs, [event.jobId]: lines } });
  },
});
