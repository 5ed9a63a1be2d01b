import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { handlerDeps, type HandlerDeps } from '../../../src/main/api/deps';
import { createHandlers } from '../../../src/main/api/handlers';
import { createServices, type Services, type ServicesOptions } from '../../../src/main/core/services';
import { HelperClient } from '../../../src/main/helper/client';
import type { JobHostClient } from '../../../src/main/job-host/client';
import { startUtility } from '../../../src/main/utility/client';
import { API_ENTRIES, type KintsugiApi } from '../../../src/shared/registry';
import { installBridge } from './bridge';
import { launchChromium } from './browser';
import { PickPathStandIn } from './pick-stand-in';
import { startHarness, type Harness } from './server';

// The two halves every e2e file sets up: main's real handler object served to the page over the harness, and a
// Chromium page whose window.kintsugi is the harness bridge. Kept apart because a test that restarts main
// (wizard.test.ts) serves a new main to the same page; startE2eApp puts them together for the files that do not.

export interface ServedApp {
  api: KintsugiApi;
  harness: Harness;
}

/** The REAL handlers over `services` (only the file chooser is a stand-in), served from out/renderer. */
export async function serveApp(
  services: Services,
  pick: HandlerDeps['pickPath'] = new PickPathStandIn().pick,
): Promise<ServedApp> {
  const api = createHandlers(handlerDeps(services, pick));
  const harness = await startHarness({
    api,
    subscribe: (l) => services.runner.onEvent(l),
    rendererDir: resolve('out/renderer'),
  });
  return { api, harness };
}

export interface ChromiumPage {
  page: Page;
  /** Keeps a last full-page shot in the temp dir (what the page showed when a test failed), then closes. */
  close(): Promise<void>;
}

/** Debian's Chromium with the bridge installed before any page script runs. `lastShot` names the kept picture. */
export async function openChromiumPage(lastShot: string): Promise<ChromiumPage> {
  const chromium = await launchChromium();
  const page = await chromium.browser.newPage();
  await page.addInitScript(
    installBridge,
    API_ENTRIES.map(([d, m]) => `${d}.${m}`),
  );
  return {
    page,
    async close() {
      if (!page.isClosed())
        await page.screenshot({ path: join(tmpdir(), lastShot), fullPage: true }).catch(() => {});
      await chromium.close();
    },
  };
}

export interface E2eAppOptions {
  /** createServices' options, less the hosts (see `utility` and `helper`). */
  services: Omit<ServicesOptions, 'hosts'>;
  /** The utility host, the real out/main/utility.js process, with this cache folder (else jobs run in-process). */
  utility?: { cacheDir: string };
  /** The privileged host: 'direct' starts the real out/main/helper.js directly (the tests run as root; the app
   * starts it through pkexec); 'refuse' fails every privileged job (a test that must start none). */
  helper?: 'direct' | 'refuse';
  pick?: HandlerDeps['pickPath'];
  /** The last full-page shot's file name in the temp dir (see openChromiumPage). */
  lastShot: string;
}

export interface E2eApp extends ServedApp {
  services: Services;
  page: Page;
  /** The page, the harness, the services and the host processes, in that order. */
  close(): Promise<void>;
}

/** Main's real services and handlers with the hosts asked for, served to a new Chromium page. */
export async function startE2eApp(o: E2eAppOptions): Promise<E2eApp> {
  let utility: JobHostClient | undefined;
  let helper: HelperClient | undefined;
  const { utility: u } = o;
  const services = createServices({
    ...o.services,
    hosts: {
      ...(u
        ? {
            utility: async () =>
              (utility = await startUtility({
                utilityPath: resolve('out/main/utility.js'),
                cacheDir: u.cacheDir,
              })),
          }
        : {}),
      ...(o.helper === 'direct'
        ? {
            helper: async () =>
              (helper = await HelperClient.start({
                mode: 'direct',
                helperPath: resolve('out/main/helper.js'),
              })),
          }
        : {}),
      ...(o.helper === 'refuse'
        ? {
            helper: () => {
              throw new Error('no privileged job in this test');
            },
          }
        : {}),
    },
  });
  const served = await serveApp(services, o.pick);
  const chromium = await openChromiumPage(o.lastShot);
  return {
    ...served,
    services,
    page: chromium.page,
    async close() {
      await chromium.close();
      await served.harness.close();
      await services.close();
      await utility?.close();
      await helper?.close();
    },
  };
}
