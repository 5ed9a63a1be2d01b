import { join } from 'node:path';
import type { JobHost } from '../../shared/ipc/define';
import type { JobRecord } from '../../shared/jobs/record';
import type { Settings } from '../../shared/app/settings';
import { SettingsStore } from './app/settings-store';
import { UiStore } from './app/ui-store';
import { hostRoutingExecutor, type JobExecutor } from './jobs/executor';
import { JobJournal } from './jobs/journal';
import { JobRunner } from './jobs/job-runner';
import { inProcessExecutor } from './jobs/run-job';
import { ReflashFlow } from './reflash/flow';
import { WrittenDrivesLedger } from './reflash/ledger';
import { ReflashStore } from './reflash/store';
import type { OsBackendFactories } from './os/backends';
import { recordOsJobs } from './os/record-jobs';
import { OsStateStore } from './os/state-store';
import { THIS_MACHINE, type OsTargetConfig } from './os/target';

// The composition root of the services, free of 'electron': the app (src/main/index.ts), the CLI, the e2e
// harness and the tests build the same graph. State lives under one folder: settings, the page, the reflash flow, the
// ledger of written drives and the job journal.

export interface ServicesOptions {
  stateDir: string;
  settingsDefaults?: ConstructorParameters<typeof SettingsStore>[1];
  /** Per host, how to reach it. Created on first use, so the password prompt appears only when a privileged job
   * actually starts, and a dismissed prompt does not stick: the next job asks again. In-process by default. */
  hosts?: Partial<Record<Exclude<JobHost, 'main'>, () => JobExecutor | Promise<JobExecutor>>>;
  runnerOptions?: ConstructorParameters<typeof JobRunner>[0];
  /** Settings for this process only, over the saved ones (the CLI's --include-loop, --pubkey). */
  settingsOverrides?: Partial<Settings>;
  /** OS updates: the system main updates (this machine's / unless a harness says otherwise) and the backends. */
  os?: { target?: Partial<OsTargetConfig>; backends?: OsBackendFactories };
  /** The kernel page's root: this machine's / unless a harness gives a throwaway one (the e2e installs a .deb into
   * a temp root; the helper allows a root other than / only to a user who is root). Never from the page. */
  kernel?: { root?: string };
}

export interface KernelServices {
  root: string;
}

export interface OsServices {
  /** The last state and check outcome, in <stateDir>/os.json; every OS job's outcome lands here. */
  store: OsStateStore;
  target: OsTargetConfig;
  /** Loaded on first use: only OS work needs the three backends (and yaml), not every command that has services. */
  backends(): Promise<OsBackendFactories>;
}

export interface Services {
  settings: SettingsStore;
  runner: JobRunner;
  journal: JobJournal;
  flow: ReflashFlow;
  ui: UiStore;
  os: OsServices;
  kernel: KernelServices;
  /** Every host's executor behind one: jobs go where their declaration says. */
  executor: JobExecutor;
  /** The jobs an earlier process left running (it crashed or was killed), now marked interrupted. */
  interrupted: Promise<JobRecord[]>;
  /** The host executors started so far (to close them on quit). */
  startedHosts(): Promise<JobExecutor[]>;
  close(): Promise<void>;
}

/** Host clients say whether they can still run jobs; an in-process executor always can. */
const isAlive = (e: JobExecutor) => (e as { alive?: boolean }).alive !== false;

export function createServices(opts: ServicesOptions): Services {
  const settings = new SettingsStore(opts.stateDir, opts.settingsDefaults);
  const journal = new JobJournal(join(opts.stateDir, 'jobs'));
  const runner = new JobRunner({ ...opts.runnerOptions, journal });
  const started = new Map<string, Promise<JobExecutor>>();
  const lazy = (host: Exclude<JobHost, 'main'>): JobExecutor => ({
    async run(req, ctx) {
      let p = started.get(host);
      // A host that failed (killed after ignoring a cancel because it is stuck on a drive, or gone) is replaced
      // by a new one, never reused: a stuck host must not block the next job.
      if (p && !(await p.then(isAlive, () => false))) p = undefined;
      if (!p) {
        const make = opts.hosts?.[host];
        p = Promise.resolve(
          make ? make() : inProcessExecutor({ cacheDir: (await settings.load()).cacheDir }),
        );
        started.set(host, p);
      }
      let executor: JobExecutor;
      try {
        executor = await p;
      } catch (err) {
        started.delete(host);
        throw err;
      }
      return executor.run(req, ctx);
    },
  });
  const mainHost: JobExecutor = {
    run: async (req, ctx) => inProcessExecutor({ cacheDir: (await settings.load()).cacheDir }).run(req, ctx),
  };
  const executor = hostRoutingExecutor({ main: mainHost, utility: lazy('utility'), helper: lazy('helper') });
  const flow = new ReflashFlow({
    store: new ReflashStore(join(opts.stateDir, 'reflash.json')),
    ledger: new WrittenDrivesLedger(join(opts.stateDir, 'written-drives.json')),
    runner,
    executor,
    settings: async () => ({ ...(await settings.load()), ...opts.settingsOverrides }),
  });
  const ui = new UiStore(opts.stateDir);
  const os: OsServices = {
    store: new OsStateStore(opts.stateDir),
    target: { ...THIS_MACHINE, ...opts.os?.target },
    backends: async () => opts.os?.backends ?? (await import('./os/backends')).OS_BACKEND_FACTORIES,
  };
  const stopOsRecord = recordOsJobs(runner, os.store);
  const startedHosts = async () =>
    (await Promise.all([...started.values()].map((p) => p.catch(() => undefined)))).filter(
      (e): e is JobExecutor => e !== undefined,
    );
  return {
    settings,
    runner,
    journal,
    flow,
    ui,
    os,
    kernel: { root: opts.kernel?.root ?? '/' },
    executor,
    interrupted: journal.recoverInterrupted((id) => runner.status(id) !== null),
    startedHosts,
    async close() {
      flow.unsubscribe();
      stopOsRecord();
      await runner.cancelAll();
      for (const h of await startedHosts()) await (h as { close?: () => Promise<void> }).close?.();
    },
  };
}
