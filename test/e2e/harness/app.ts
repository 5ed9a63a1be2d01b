import { handlerDeps } from '../../../src/main/api/deps';
import { createHandlers } from '../../../src/main/api/handlers';
import { createServices, type Services, type ServicesOptions } from '../../../src/main/core/services';
import type { PickPurpose } from '../../../src/shared/app/contract';
import { API_ENTRIES, type KintsugiApi } from '../../../src/shared/registry';
import { startHarness, type Harness } from './server';

// Main as the e2e test runs it: the real services (job service with its journal, the reflash flow, settings)
// and the one handler object, served to Chromium by the harness. Every job runs in this (root) process: the
// helper and the utility process are the same core behind a process boundary, tested on their own.

export interface HarnessApp {
  services: Services;
  api: KintsugiApi;
  harness: Harness;
  /** "domain.method" for every API entry: the list installBridge needs. */
  entries: string[];
  close(): Promise<void>;
}

export async function startHarnessApp(opts: {
  stateDir: string;
  rendererDir: string;
  pick(purpose: PickPurpose): Promise<string | null>;
  settingsDefaults?: ServicesOptions['settingsDefaults'];
}): Promise<HarnessApp> {
  const services = createServices({
    stateDir: opts.stateDir,
    ...(opts.settingsDefaults ? { settingsDefaults: opts.settingsDefaults } : {}),
  });
  const api = createHandlers(handlerDeps(services, opts.pick));
  const harness = await startHarness({
    api,
    subscribe: (listener) => services.runner.onEvent(listener),
    rendererDir: opts.rendererDir,
  });
  return {
    services,
    api,
    harness,
    entries: API_ENTRIES.map(([d, m]) => `${d}.${m}`),
    async close() {
      await harness.close();
      await services.close();
    },
  };
}
