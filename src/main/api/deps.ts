import type { PickPurpose } from '../../shared/app/contract';
import type { Settings, SettingsPatch } from '../../shared/app/settings';
import type { UiState } from '../../shared/app/routes';
import type { JobRecord } from '../../shared/jobs/record';
import type { ReflashFlow } from '../core/reflash/flow';
import type { JobExecutor } from '../core/jobs/executor';
import type { JobRunner } from '../core/jobs/job-runner';
import type { KernelServices, OsServices, Services } from '../core/services';

// What the handler groups need from the outside world. Everything is injected so the same handlers run inside
// Electron (src/main/index.ts), in the e2e harness (test/e2e) and in unit tests, with no 'electron' import.

export interface SettingsPort {
  load(): Promise<Settings>;
  save(patch: SettingsPatch): Promise<Settings>;
}

export interface UiStatePort {
  load(): Promise<UiState>;
  save(state: UiState): Promise<UiState>;
}

export interface HandlerDeps {
  settings: SettingsPort;
  ui: UiStatePort;
  runner: JobRunner;
  /** Where jobs a handler starts itself run (each on the host its declaration names). */
  executor: JobExecutor;
  /** Jobs this process does not run any more (finished long ago, or interrupted by a crash): from the journal. */
  journalRecords(): Promise<JobRecord[]>;
  reflash: ReflashFlow;
  /** OS updates: the record, main's target, the backends (core/services.ts). */
  os: OsServices;
  /** The kernel page's root (core/services.ts: / unless a harness says otherwise). */
  kernel: KernelServices;
  /** The native chooser in Electron; a stand-in in the e2e harness. */
  pickPath(purpose: PickPurpose): Promise<string | null>;
}

/** The handlers' view of the services, plus the one thing only the shell (or a test) can give: a file chooser. */
export function handlerDeps(services: Services, pickPath: HandlerDeps['pickPath']): HandlerDeps {
  return {
    settings: services.settings,
    ui: services.ui,
    runner: services.runner,
    executor: services.executor,
    journalRecords: () => services.journal.list(),
    reflash: services.flow,
    os: services.os,
    kernel: services.kernel,
    pickPath,
  };
}
