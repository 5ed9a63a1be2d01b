import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { handlerDeps, type HandlerDeps } from '../../../src/main/api/deps';
import { createHandlers } from '../../../src/main/api/handlers';
import type { Services } from '../../../src/main/core/services';
import { API_ENTRIES, type KintsugiApi } from '../../../src/shared/registry';
import { installBridge } from './bridge';
import { launchChromium } from './browser';
import { PickPathStandIn } from './pick-stand-in';
import { startHarness, type Harness } from './server';

// The two halves every e2e file sets up: main's real handler object served to the page over the harness, and a
// Chromium page whose window.kintsugi is the harness bridge. Kept apart because a test that restarts main
// (wizard.test.ts) serves a new main to the same page.

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
