import { execa } from 'execa';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/main/core/jobs/context';
import type { JobExecutor } from '../../src/main/core/jobs/executor';
import { createServices, type Services } from '../../src/main/core/services';
import { HelperClient } from '../../src/main/helper/client';
import type { JobHostClient } from '../../src/main/job-host/client';
import { startUtility } from '../../src/main/utility/client';
import { KintsugiError } from '../../src/shared/errors';
import type { JobRequest } from '../../src/shared/jobs';
import type { KintsugiApi } from '../../src/shared/registry';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import {
  buildFixtureImage,
  compressFixture,
  signWithMinisign,
  writeSha256File,
  type FixtureImage,
} from '../helpers/fixture-image';
import { attachLoop, detachLoop, withMountedLoop } from '../helpers/loop';
import { axeViolations } from './harness/axe';
import { openChromiumPage, serveApp, type ChromiumPage } from './harness/app';
import { primaryCoveredByBackdrop } from './harness/fold';
import { PickPathStandIn } from './harness/pick-stand-in';
import { checkedShot } from './harness/checked-shot';
import { screenshotsDir } from './harness/screenshots';
import type { Harness } from './harness/server';

// The app in Chromium, through the harness, against the REAL handler object and real core: a loop device made
// from a fixture drive image is backed up, flashed with a zstd image + .sha256, verified and restored; then the
// restored persistence store must hold exactly the original files. On the way: the shell's pages and keyboard
// navigation, app restarts (main and the page) mid-flow, a cancelled flash and a flash a crash interrupted (both
// retried through the typed confirmation again), the guards between flash and restore, and the jobs page.

// This file compiles under the Node tsconfig (no DOM types): the page global it touches, named.
declare const document: {
  activeElement: {
    tagName: string;
    getAttribute(name: string): string | null;
    closest(selector: string): unknown;
  } | null;
};

const SHOTS = screenshotsDir();
let work: string;
let userData: string;
let oldDrive: FixtureImage;
let newImageZst: string;
let newImageHead: Buffer; // the new image's first MiB: its GPT has fresh random GUIDs, so it proves the flash
let sha256File: string;
let backupRoot: string;
let device: string | undefined;
let app: MainSide;
let chromium: ChromiumPage;
let page: Page;

/**
 * Holds the next job of a type before it reaches the helper (so before the flash writes its first byte) until it
 * is cancelled: a cancel that always lands while the job runs, and a job still running when the app "dies".
 * A held job never ends by itself; releaseAll() lets the held ones fail at teardown.
 */
class JobHold {
  private armed = new Set<string>();
  private readonly waiting = new Set<() => void>();

  next(type: JobRequest['type']): void {
    this.armed.add(type);
  }

  wrap(executor: JobExecutor): JobExecutor {
    return {
      run: async (req: JobRequest, ctx: JobContext) => {
        if (this.armed.delete(req.type)) await this.until(ctx.signal);
        return executor.run(req, ctx);
      },
    };
  }

  releaseAll(): void {
    for (const release of this.waiting) release();
  }

  private until(signal: AbortSignal): Promise<never> {
    return new Promise<never>((_resolve, reject) => {
      const stop = () => {
        this.waiting.delete(stop);
        reject(new KintsugiError('CANCELLED', 'held by the test'));
      };
      this.waiting.add(stop);
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
  }
}

const picks = new PickPathStandIn();
/** Services of a main that "crashed": their held jobs are let go at teardown, and waited for. */
const crashed: Services[] = [];
const hold = new JobHold();

// ---- main, as the app builds it (the one place that knows main's wiring: adapt it when that changes) ----

interface MainSide {
  harness: Harness;
  /** The handler object itself, for checking what main saved. */
  api(): KintsugiApi;
  helperPid(): number | undefined;
  /** crash: drop main without letting anything it runs finish or write (a killed app); else a clean quit. */
  close(opts?: { crash?: boolean }): Promise<void>;
}

async function bootMain(): Promise<MainSide> {
  let helper: HelperClient | undefined;
  let utility: JobHostClient | undefined;
  const cacheDir = join(work, 'cache');
  // Jobs go where the app sends them: image checks to the real utility process (out/main/utility.js), privileged
  // jobs to the real helper process (out/main/helper.js, started directly since we are root: the same NDJSON road
  // the app takes, minus the pkexec prompt). `hold` can keep a flash from starting.
  const services = createServices({
    stateDir: userData,
    settingsDefaults: { dataRoot: join(work, 'data'), cacheDir },
    hosts: {
      utility: async () =>
        (utility = await startUtility({ utilityPath: resolve('out/main/utility.js'), cacheDir })),
      helper: async () =>
        hold.wrap(
          (helper = await HelperClient.start({ mode: 'direct', helperPath: resolve('out/main/helper.js') })),
        ),
    },
  });
  const { api, harness } = await serveApp(services, picks.pick);
  let closed = false;
  return {
    harness,
    api: () => api,
    helperPid: () => helper?.pid,
    async close(opts = {}) {
      if (closed) return;
      closed = true;
      await harness.close();
      // A crash: main's jobs and flow are dropped where they stand (nothing finishes or writes state); the next
      // main finds the journal's "running" records and marks them interrupted.
      if (opts.crash) {
        services.flow.unsubscribe();
        crashed.push(services);
      } else await services.close();
      await helper?.close();
      await utility?.close();
    },
  };
}

/** Quits main and starts it again on the same userData, then opens the page again, as a restarted app does. */
async function restartApp(opts: { crash?: boolean } = {}): Promise<void> {
  await app.close(opts);
  app = await bootMain();
  await page.goto(app.harness.url);
}

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-e2e-'));
  userData = join(work, 'userData');
  backupRoot = join(work, 'backups');
  await mkdir(backupRoot); // the folder chooser only returns folders that exist
  oldDrive = await buildFixtureImage(join(work, 'drive'), { name: 'drive.img', sizeMiB: 64 });
  // The new release: same layout, an empty persistence store (a freshly built image).
  const fresh = await buildFixtureImage(join(work, 'release'), {
    name: 'kintsugi-v2.1.img',
    sizeMiB: 64,
    populate: false,
  });
  newImageZst = await compressFixture(fresh.imagePath, 'zstd');
  newImageHead = await readHead(fresh.imagePath);
  await rm(fresh.imagePath);
  sha256File = await writeSha256File([newImageZst], `${newImageZst}.sha256`);
  device = await attachLoop(oldDrive.imagePath);

  app = await bootMain();
  chromium = await openChromiumPage('kintsugi-e2e-last.png');
  page = chromium.page;
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await chromium?.close();
  await app?.close();
  hold.releaseAll();
  for (const c of crashed) await c.runner.cancelAll();
  if (device) await detachLoop(device);
  if (work) await rm(work, { recursive: true, force: true });
});

async function readHead(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    await fh.read(buf, 0, buf.length, 0);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Taken at every page and step, the dark theme included; every wizard step has a primary action (what Enter
 * presses), and it must be on screen at 800×600. */
const shot = async (name: string) =>
  checkedShot(page, SHOTS, name, { requirePrimary: (await page.locator('.page.reflash').count()) > 0 });
const h1 = () => page.locator('h1').textContent();
const focusedTag = () => page.evaluate(() => document.activeElement?.tagName);
const dialog = () => page.getByRole('dialog');

/** A call into main through the page's own window.kintsugi, for what the UI deliberately does not offer. */
function callMain(
  domain: string,
  method: string,
  arg: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; code: string }> {
  return page.evaluate(
    async ([d, m, a]) => {
      const k = (
        globalThis as unknown as { kintsugi: Record<string, Record<string, (x: unknown) => unknown>> }
      ).kintsugi;
      try {
        return { ok: true as const, value: await k[d as string]![m as string]!(a) };
      } catch (e) {
        return { ok: false as const, code: String((e as { code?: unknown }).code) };
      }
    },
    [domain, method, arg] as const,
  );
}

/**
 * After a step's job: main records its result and may move the flow on by itself; if it left the flow on the
 * step (result shown, Continue enabled), continue. Either way the next step's heading must come.
 */
async function reach(heading: string, timeout = 120_000): Promise<void> {
  await expect
    .poll(
      async () => {
        if ((await h1()) === heading) return true;
        const next = page.locator('[data-primary]:not(:disabled)', { hasText: 'Continue' });
        if ((await next.count()) > 0 && (await dialog().count()) === 0) await next.first().click();
        return false;
      },
      { timeout, interval: 250 },
    )
    .toBe(true);
}

/** Opens the typed erase confirmation from the Flash (or Retry) button and types `typed` into it. */
async function askFlash(button: 'Flash the drive' | 'Retry', typed?: string): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await dialog().waitFor();
  const field = dialog().getByRole('textbox');
  // Every flash start asks again: the field starts empty and has focus.
  expect(await field.inputValue()).toBe('');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('typed-device');
  if (typed !== undefined) await field.fill(typed);
}
/** A dialog confirmed by typing: the wrong word keeps its button disabled, the right one goes through. */
async function typeToConfirm(button: string, wrong: string, right: string): Promise<void> {
  await dialog().waitFor();
  const confirm = dialog().getByRole('button', { name: button });
  await dialog().getByRole('textbox').fill(wrong);
  expect(await confirm.isDisabled()).toBe(true);
  await dialog().getByRole('textbox').fill(right);
  await confirm.click();
  await expect.poll(() => dialog().count()).toBe(0);
}

/** The image check passed and the flow moved on to the drive; back on the image step, its report says `text`. */
async function backToImageStepShowing(text: string): Promise<void> {
  await expect.poll(h1, { timeout: 30_000 }).toBe('Choose the drive to reflash');
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await expect.poll(h1).toBe('Choose the new image');
  await expect.poll(() => page.locator('.content').textContent()).toContain(text);
}

const eraseButton = () => page.getByRole('button', { name: `Erase and flash ${device}` });

describe('the app in Chromium on a real loop device', () => {
  it('opens on Home and moves between pages by keyboard, focus on each page heading', async () => {
    await page.goto(app.harness.url);
    await expect.poll(h1).toBe('What to update');
    const flowCard = page.getByRole('listitem').filter({ hasText: 'Base image (reflash)' });
    expect(await flowCard.textContent()).toContain('Not started');
    await shot('00-home.png');

    await page.keyboard.press('Alt+3');
    await expect.poll(h1).toBe('Jobs');
    expect(await focusedTag()).toBe('H1');
    await page.keyboard.press('Alt+2');
    await expect.poll(h1).toBe('Choose the new image');
    expect(await focusedTag()).toBe('H1');
    await page.keyboard.press('Alt+1');
    await expect.poll(h1).toBe('What to update');

    // The page list: Tab-reachable current page, arrows between pages, Enter opens.
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await nav.getByRole('button', { name: 'Home' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await expect.poll(h1).toBe('Jobs');
    expect(await nav.getByRole('button', { name: /^Jobs/ }).getAttribute('aria-current')).toBe('page');
    await nav.getByRole('button', { name: /^Jobs/ }).focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await expect.poll(h1).toBe('Choose the new image');
    await page.keyboard.press('Alt+1');

    // Home's primary action: Enter on its heading opens the reflash.
    await expect.poll(h1).toBe('What to update');
    expect(await focusedTag()).toBe('H1');
    await page.keyboard.press('Enter');
    await expect.poll(h1).toBe('Choose the new image');
  });

  it('keeps a folder typed in Settings as typed, expands ~, and lets the field be emptied', async () => {
    const openSettings = async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      return page.getByRole('textbox', { name: 'Backup folder' });
    };
    let field = await openSettings();
    await field.fill('');
    await field.pressSequentially('/home/me/backups'); // key by key, as a person types, each change on its way
    await page.keyboard.press('Tab'); // leaving the field saves it
    await expect.poll(() => field.inputValue()).toBe('/home/me/backups');
    await page.keyboard.press('Escape');
    field = await openSettings();
    expect(await field.inputValue()).toBe('/home/me/backups');
    await field.fill('~/kintsugi-backups');
    await field.press('Enter');
    await page.keyboard.press('Escape');
    await expect
      .poll(async () => (await app.api().app.getSettings()).backupDir)
      .toBe(join(homedir(), 'kintsugi-backups'));
    field = await openSettings();
    await field.fill('');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await app.api().app.getSettings()).backupDir).toBeUndefined();
  });

  it('checks the image, chooses the drive and backs up (skipping needs the exact device name)', async () => {
    // Settings: show loop devices (the drive under test is one). Esc closes the panel.
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Show loop devices (for testing images)').check();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);

    // A wrong pick first: a saved web page, zstd-compressed and named like the image. The check refuses it and
    // offers to write it anyway only after RAW (or its name) is typed; then the real image is checked.
    const junkPage = join(work, 'kintsugi-v2.1-page.img.zst');
    await writeFile(
      `${junkPage}.html`,
      '<!DOCTYPE html><html><body>404 Not Found</body></html>\n'.repeat(20),
    );
    await execa('zstd', ['-q', '-f', `${junkPage}.html`, '-o', junkPage]);
    await page.getByRole('textbox', { name: 'Image file' }).fill(junkPage);
    await page.getByRole('button', { name: 'Check image' }).click();
    // The first check also starts the utility process: on a loaded machine that alone can take seconds.
    await expect
      .poll(() => page.locator('.content').textContent(), { timeout: 30_000 })
      .toContain('This file is not a disk image');
    await page.getByRole('button', { name: 'Flash it anyway…' }).click();
    await typeToConfirm('Check it as a raw image', 'raw', 'RAW');
    // Forced, it passed and the flow moved on; back on the image step its report says what was accepted.
    await backToImageStepShowing('does not look like one: written as raw bytes');
    await shot('01-image-not-a-disk-image.png');

    // A signing key set and no .minisig: refused, and checked unsigned only after UNSIGNED is typed.
    const key = await signWithMinisign(`${junkPage}.html`); // any file: only the key pair is wanted
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('minisign public key').fill(key.pubkey);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('textbox', { name: 'Image file' }).fill(newImageZst);
    await page.getByRole('button', { name: 'Check image' }).click();
    await expect
      .poll(() => page.locator('.content').textContent())
      .toContain('This image has no signature, and a signing key is set.');
    await page.getByRole('button', { name: 'Check it unsigned…' }).click();
    await typeToConfirm('Check it unsigned', 'unsigned', 'UNSIGNED');
    await backToImageStepShowing('none, although a key is set: you chose to go on unsigned');
    // The rest of the run checks the image by its .sha256 alone: no key.
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('minisign public key').fill('');
    await page.getByRole('button', { name: 'Done' }).click();

    // Image: typed path, checksum through Browse (the dialog stand-in), then Check image.
    await page.getByRole('textbox', { name: 'Image file' }).fill(` ${newImageZst}  `); // pasted with stray spaces: trimmed
    picks.willPick('checksum', sha256File);
    await page.getByRole('button', { name: 'Browse for Checksum file (.sha256)' }).click();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Checksum file (.sha256)' }).inputValue())
      .toBe(sha256File);
    await shot('01-image.png');
    await page.getByRole('button', { name: 'Check image' }).click();
    await reach('Choose the drive to reflash', 60_000);
    expect(await page.locator('.content').textContent()).toContain('Image checked');

    // Drive: our loop device, selectable.
    const radio = page.locator(`input[type=radio][value="${device}"]`);
    await radio.waitFor({ timeout: 30_000 });
    expect(await radio.isDisabled()).toBe(false);
    await radio.check();
    await shot('02-drive.png');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(h1).toBe('Back up your data');

    // Skipping the backup needs the exact device name; we do not skip.
    await page.getByRole('button', { name: 'Skip the backup…' }).click();
    const skipButton = page.getByRole('button', { name: 'Skip the backup', exact: true });
    const skipField = page.getByLabel('Device name to skip the backup');
    await skipField.fill(device!.replace('loop', 'sdb'));
    expect(await skipButton.isDisabled()).toBe(true);
    await skipField.fill(`${device} `);
    expect(await skipButton.isDisabled()).toBe(true);
    await skipField.fill(device!);
    expect(await skipButton.isDisabled()).toBe(false);
    await shot('03-backup-skip-open.png'); // the step at its longest: Back up still in view at 800×600
    await page.getByRole('button', { name: 'Skip the backup…' }).click(); // fold it away again

    // Back up, verified.
    picks.willPick('backup-dir', backupRoot);
    await page.getByRole('button', { name: 'Browse for Backup destination folder' }).click();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Backup destination folder' }).inputValue())
      .toBe(backupRoot);
    // What the backup will need, before it starts (the drive's store read by main, in this folder's blocks).
    await expect
      .poll(() => page.locator('[data-fact="backup-need"]').textContent())
      .toMatch(/^about .* partition 2 "persistence"/);
    await shot('03-backup-step.png');
    await page.getByRole('button', { name: 'Back up', exact: true }).click();
    await reach('Flash the drive', 90_000);
    expect(await page.locator('.content').textContent()).toContain(`✓ Backup verified: ${backupRoot}`);
    await shot('03-backup.png');
  });

  it('resumes on the same page and step after a restart', async () => {
    await restartApp();
    await expect.poll(h1).toBe('Flash the drive');
    expect(await page.locator('.app').getAttribute('data-route')).toBe('reflash');
    expect(await page.locator('.content').textContent()).toContain(`✓ Backup verified: ${backupRoot}`);
  });

  it('asks for the device name again when a cancelled flash is retried', async () => {
    // Tab stays inside the erase confirmation (Tab + Enter must never reach "Start over" behind it); Esc closes it
    // without starting anything and gives focus back to the button that opened it.
    await askFlash('Flash the drive');
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')))).toBe(
        true,
      );
    }
    // The erase confirmation is readable in both themes (its red button had 2.3:1 contrast in the dark one).
    await dialog().getByRole('textbox').fill(device!);
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page), `erase dialog, ${colorScheme}`).toEqual([]);
    }
    // The dialog covers the page, its sticky action bar too (which once painted above the backdrop).
    expect(await primaryCoveredByBackdrop(page)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Flash the drive',
    );

    hold.next('flash'); // the flash waits before its first byte, so Cancel always lands while it runs
    await askFlash('Flash the drive', device!.replace('/dev/', '') + 'x');
    expect(await eraseButton().isDisabled()).toBe(true);
    await dialog().getByRole('textbox').fill(device!);
    await eraseButton().click();
    await expect.poll(() => dialog().count()).toBe(0);
    await page.getByRole('progressbar', { name: 'Flash progress' }).waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.getAttribute('data-code')).toBe('CANCELLED');
    expect(await alert.textContent()).not.toMatch(/\bat .*\.(ts|js):\d+/); // message and hint, never a stack

    // Retry goes through the same intent: the typed name is asked for again.
    await askFlash('Retry');
    await page.keyboard.press('Escape');
  });

  it('shows a flash the app died during as interrupted, lists it on the jobs page, and retries it typed', async () => {
    hold.next('flash');
    await askFlash('Retry', device!);
    await eraseButton().click();
    await page.getByRole('progressbar', { name: 'Flash progress' }).waitFor();

    // The app dies while the flash runs; main starts again on the same disk state.
    await restartApp({ crash: true });
    await expect.poll(h1).toBe('Flash the drive');
    const interrupted = page.getByRole('status').filter({ hasText: 'Flash was interrupted' });
    await interrupted.waitFor();
    expect(await interrupted.textContent()).toContain('flash it again');
    expect(await page.locator('.content').textContent()).toContain(
      'Your data is safe in the verified backup',
    );

    // The jobs page lists every job newest first: the interrupted flash, the cancelled one, the backup, the check.
    await page.keyboard.press('Alt+3');
    await expect.poll(h1).toBe('Jobs');
    const jobs = page.getByRole('list', { name: 'Jobs, newest first' }).getByRole('listitem');
    await expect.poll(() => jobs.count()).toBeGreaterThanOrEqual(4);
    const states = await jobs.evaluateAll((items) =>
      items.map((li) => `${li.querySelector('h2')?.textContent} ${li.getAttribute('data-state')}`),
    );
    expect(states.slice(0, 4)).toEqual([
      expect.stringMatching(/^Flash a drive.* interrupted$/),
      expect.stringMatching(/^Flash a drive.* failed$/),
      expect.stringMatching(/^Back up a persistence store.* done$/),
      expect.stringMatching(/^Check an image.* done$/),
    ]);
    expect(await jobs.nth(0).textContent()).toContain('may be partly written');
    expect(await jobs.nth(1).textContent()).toContain('Cancelled');
    // The log tail of a finished job opens in place.
    await jobs.nth(2).getByText('Log', { exact: true }).click();
    await expect
      .poll(async () => (await jobs.nth(2).locator('pre.log').textContent())?.length ?? 0)
      .toBeGreaterThan(0);
    await shot('08-jobs.png');
    await page.keyboard.press('Alt+2');
    await expect.poll(h1).toBe('Flash the drive');

    // Retry asks for the typed name again, then the flash runs to the end.
    await askFlash('Retry', device!);
    await eraseButton().click();
    await reach('Restore your data', 120_000);
    expect(await page.locator('.content').textContent()).toContain('flashed and verified');
    await shot('04-flash.png');
  });

  it('cannot go back to the backup step once the drive was written', async () => {
    const refused = await callMain('reflash', 'goTo', { step: 'backup' });
    expect(refused.ok).toBe(false);
    await page.reload();
    await expect.poll(h1).toBe('Restore your data');
    // The flash step, if revisited, offers no way back either.
    const back = await callMain('reflash', 'goTo', { step: 'flash' });
    if (back.ok) {
      await page.reload();
      await expect.poll(h1).toBe('Flash the drive');
      expect(await page.getByRole('button', { name: 'Back', exact: true }).isDisabled()).toBe(true);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(h1).toBe('Restore your data');
    }
  });

  it('asks for the typed device name to start over while the backup is not restored', async () => {
    await page.getByRole('button', { name: 'Start over', exact: true }).click();
    await dialog().waitFor();
    expect(await dialog().getByRole('heading').textContent()).toBe('Your data is not restored yet');
    expect(await dialog().textContent()).toContain(backupRoot);
    const anyway = dialog().getByRole('button', { name: 'Start over anyway' });
    expect(await anyway.isDisabled()).toBe(true);
    await dialog().getByRole('textbox').fill('sdz');
    expect(await anyway.isDisabled()).toBe(true);
    // Esc keeps everything; "Restore instead" leads to the restore.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
    await page.getByRole('button', { name: 'Start over', exact: true }).click();
    await dialog().getByRole('button', { name: 'Restore instead' }).click();
    await expect.poll(() => dialog().count()).toBe(0);
    await expect.poll(h1).toBe('Restore your data');
  });

  it('restores the backup and says the data is back in place only then', async () => {
    await shot('05-restore.png');
    // Enter on the step heading presses the step's primary action (Restore).
    await page.locator('h1').focus();
    await page.keyboard.press('Enter');
    await reach('Your drive is up to date', 120_000);
    const lead = await page.locator('.lead').first().textContent();
    expect(lead).toContain('your data is back in place');
    expect(await page.locator('.content').textContent()).toContain(`You can remove ${device} now`);
    const summary = await page.getByRole('region', { name: 'Summary' }).textContent();
    expect(summary).toContain(backupRoot);
    expect(summary).toContain('verified');
    await shot('06-done.png');
    await page.emulateMedia({ colorScheme: 'dark' }); // the same page in the dark theme
    await shot('07-done-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });

    // Home tells the same at a glance.
    await page.keyboard.press('Alt+1');
    await expect.poll(h1).toBe('What to update');
    const baseCard = page.getByRole('listitem').filter({ hasText: 'Base image (reflash)' });
    expect(await baseCard.textContent()).toContain('back in place');
    // The version now on the drive, from the app's own record of what it wrote there (read when home opens).
    await expect
      .poll(() => baseCard.textContent())
      .toContain(`On ${device}: version 2.1, written by this app on`);

    // "Restore an existing backup" as its own flow: the same backup, chosen from its folder, onto the same drive,
    // confirmed by typing the device name (main refuses the restore without it).
    await page.keyboard.press('Alt+2');
    await page.getByRole('button', { name: 'Start over', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start over', exact: true }).click();
    await expect.poll(h1).toBe('Choose the new image');
    // The flash above measured this machine's write speed: from now on the flash time is that, not a guess.
    await page.getByRole('textbox', { name: 'Image file' }).fill(newImageZst);
    await expect
      .poll(() => page.locator('[data-fact="flash-time"]').textContent())
      .toMatch(/^about .* \(as measured here\) to write 64\.0 MiB/);
    await page.getByRole('textbox', { name: 'Image file' }).fill('');
    await page.getByRole('button', { name: 'Restore an existing backup…' }).click();
    await page.getByRole('textbox', { name: 'Folder of backups' }).fill(backupRoot);
    // The backup's Check (a backup-check job on the helper): every file against the manifest's checksums, the
    // outcome on its row.
    await page
      .getByRole('button', { name: /^Check the backup of / })
      .first()
      .click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'OK:' }).first().textContent(), {
        timeout: 60_000,
      })
      .toMatch(/^✓ OK: [1-9]\d* file\(s\) match their checksums$/);
    await page.getByRole('radio').first().check();
    await page.getByRole('button', { name: 'Restore this backup…' }).click();
    await expect.poll(h1).toBe('Choose the drive to restore into');
    await page.locator(`input[value="${device}"]`).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(h1).toBe('Restore your data');
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByRole('textbox').fill(device!.replace('/dev/', ''));
    await confirm.getByRole('button', { name: `Restore onto ${device}` }).click();
    await reach('Restore finished', 120_000);
    expect(await page.locator('.lead').first().textContent()).toContain('your data is back in place');

    // Backup, flash and restore went through the separate helper process, not in-process.
    expect(app.helperPid()).toBeGreaterThan(0);
    expect(app.helperPid()).not.toBe(process.pid);

    // The drive now carries the new image with the user's files back in its persistence store.
    await chromium.close();
    await app.close();
    await detachLoop(device!);
    device = undefined;
    const p = oldDrive.persistence;
    const restored = await withMountedLoop(
      oldDrive.imagePath,
      { offset: p.offset, sizeLimit: p.size, readOnly: true },
      (mnt) => describeTree(mnt),
    );
    expect(oldDrive.tree.length).toBeGreaterThan(10);
    expect(diffTrees(oldDrive.tree, restored)).toEqual([]);
    expect((await readHead(oldDrive.imagePath)).equals(newImageHead)).toBe(true);
  });
});
