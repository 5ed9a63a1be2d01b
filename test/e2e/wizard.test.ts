import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../src/main/api/core-deps';
import { createHandlers } from '../../src/main/api/handlers';
import { HelperClient } from '../../src/main/helper/client';
import { WizardStore } from '../../src/main/core/wizard/store';
import { SettingsStore } from '../../src/main/settings/store';
import { API_METHODS } from '../../src/shared/contract';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import {
  buildFixtureImage,
  compressFixture,
  writeSha256File,
  type FixtureImage,
} from '../helpers/fixture-image';
import { attachLoop, detachLoop, withMountedLoop } from '../helpers/loop';
import { installBridge } from './harness/bridge';
import { launchChromium } from './harness/browser';
import { PickPathStandIn } from './harness/pick-stand-in';
import { screenshotsDir } from './harness/screenshots';
import { startHarness, type Harness } from './harness/server';

// The whole reflash wizard in Chromium, through the harness, against the REAL handler object and real core:
// a loop device made from a fixture drive image is backed up, flashed with a zstd image + .sha256, verified and
// restored; then the restored persistence store must hold exactly the original files.

const SHOTS = screenshotsDir();
let work: string;
let oldDrive: FixtureImage;
let newImageZst: string;
let newImageHead: Buffer; // the new image's first MiB: its GPT has fresh random GUIDs, so it proves the flash
let sha256File: string;
let device: string | undefined;
let harness: Harness;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let helper: HelperClient | undefined;
const picks = new PickPathStandIn();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-e2e-'));
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

  const userData = join(work, 'userData');
  const settings = new SettingsStore(userData, {
    dataRoot: join(work, 'data'),
    cacheDir: join(work, 'cache'),
  });
  // Privileged jobs go to the real helper process (out/main/helper.js), started directly since we are root:
  // the same NDJSON road the app takes, minus the pkexec prompt.
  const core = createCoreDeps({
    settings,
    privileged: async () =>
      (helper = await HelperClient.start({ mode: 'direct', helperPath: resolve('out/main/helper.js') })),
  });
  const api = createHandlers({ ...core, settings, wizard: new WizardStore(userData), pickPath: picks.pick });
  harness = await startHarness({
    api,
    subscribe: (l) => core.jobRunner.onEvent(l),
    rendererDir: resolve('out/renderer'),
  });
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
  await page.addInitScript(installBridge, [...API_METHODS]);
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await chromium?.close();
  await helper?.close();
  await harness?.close();
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

const shot = (name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

describe('reflash wizard in Chromium', () => {
  it('walks Image -> Drive -> Back up -> Flash -> Restore -> Done on a real loop device', async () => {
    try {
      await walkWizard();
      // Backup, flash and restore went through the separate helper process, not in-process.
      expect(helper?.pid).toBeGreaterThan(0);
      expect(helper?.pid).not.toBe(process.pid);
    } catch (err) {
      // Keep what the page showed when it failed: the first thing to look at.
      await page
        .screenshot({ path: join(tmpdir(), 'kintsugi-e2e-failure.png'), fullPage: true })
        .catch(() => {});
      throw err;
    }
  });
});

describe('resume after the app died mid-job', () => {
  it('shows the job as interrupted with Retry at the same step', async () => {
    await page.evaluate(async (dev) => {
      const k = (globalThis as unknown as { kintsugi: import('../../src/shared/contract').KintsugiBridge })
        .kintsugi;
      await k.saveWizardState({
        step: 'backup',
        device: dev,
        backupDir: '/tmp',
        durations: {},
        // A job id the (restarted) main process has never seen: the app died while it ran.
        activeJob: {
          jobId: 'died-with-the-app',
          request: { type: 'backup', params: { source: dev, destRoot: '/tmp' } },
          startedAt: new Date().toISOString(),
        },
      });
    }, '/dev/loop-not-attached');
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Back up your data');
    await page.getByText('Backup was interrupted').waitFor();
    expect(await page.getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Backup destination folder' }).inputValue()).toBe('/tmp');
    // Errors show message and hint, never a stack: Retry on a device that does not exist fails cleanly.
    await page.getByRole('button', { name: 'Retry' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(await alert.getAttribute('data-code')).toBe('INVALID_ARGUMENT');
  });
});

async function walkWizard(): Promise<void> {
  {
    await page.goto(harness.url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Choose the new image');

    // Settings: show loop devices (the drive under test is one).
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Show loop devices (for testing images)').check();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    // Image: typed path, checksum through Browse (the dialog stand-in), then Check image.
    await page.getByRole('textbox', { name: 'Image file' }).fill(` ${newImageZst}  `); // pasted with stray spaces: trimmed
    picks.willPick('checksum', sha256File);
    await page.getByRole('button', { name: 'Browse for Checksum file (.sha256)' }).click();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Checksum file (.sha256)' }).inputValue())
      .toBe(sha256File);
    await page.getByRole('button', { name: 'Check image' }).click();
    await page.getByRole('heading', { name: 'Image checked' }).waitFor({ timeout: 60_000 });
    const result = page.getByRole('region', { name: 'Image check result' });
    expect(await result.textContent()).toContain('matches');
    expect(await result.textContent()).toContain('zstd');
    await shot('01-image.png');
    await page.keyboard.press('Enter'); // Enter continues

    // Drive: our loop device, selectable.
    await expect.poll(() => page.locator('h1').textContent()).toBe('Choose the drive to reflash');
    const radio = page.locator(`input[type=radio][value="${device}"]`);
    await radio.waitFor({ timeout: 30_000 });
    expect(await radio.isDisabled()).toBe(false);
    await radio.check();
    await shot('02-drive.png');
    await page.getByRole('button', { name: 'Continue' }).click();

    // Before any backup, flashing is locked; skipping needs the exact device name.
    await expect.poll(() => page.locator('h1').textContent()).toBe('Back up your data');
    await page.getByRole('button', { name: 'Skip to flash…' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Flash the drive');
    expect(await page.getByRole('button', { name: 'Flash the drive' }).isDisabled()).toBe(true);
    const skipButton = page.getByRole('button', { name: 'Skip the backup' });
    await page.getByLabel('Device name to skip the backup').fill(device!.replace('loop', 'sdb'));
    expect(await skipButton.isDisabled()).toBe(true);
    await page.getByLabel('Device name to skip the backup').fill(`${device} `);
    expect(await skipButton.isDisabled()).toBe(true);
    await page.getByLabel('Device name to skip the backup').fill(device!);
    expect(await skipButton.isDisabled()).toBe(false);
    await page.getByRole('button', { name: 'Back', exact: true }).click();

    // Back up, verified.
    const backupRoot = join(work, 'backups');
    await mkdir(backupRoot); // the folder chooser only returns folders that exist
    picks.willPick('backup-dir', backupRoot);
    await page.getByRole('button', { name: 'Browse for Backup destination folder' }).click();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Backup destination folder' }).inputValue())
      .toBe(backupRoot);
    await page.getByRole('button', { name: 'Back up', exact: true }).click();
    await page.getByText('✓ verified').waitFor({ timeout: 90_000 });

    // Reload mid-wizard: same step, same choices.
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Back up your data');
    expect(await page.getByRole('textbox', { name: 'Backup destination folder' }).inputValue()).toBe(
      backupRoot,
    );
    await page.getByText('✓ verified').waitFor();
    await shot('03-backup.png');
    await page.getByRole('button', { name: 'Continue' }).click();

    // Flash: unlocked by the verified backup; confirm in the dialog (Esc cancels it first).
    await expect.poll(() => page.locator('h1').textContent()).toBe('Flash the drive');
    await page.getByRole('button', { name: 'Flash the drive' }).click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('button', { name: 'Flash the drive' }).click();
    await page.getByRole('button', { name: `Erase and flash ${device}` }).click();
    await page.getByRole('region', { name: 'Flash result' }).waitFor({ timeout: 120_000 });
    expect(await page.getByRole('region', { name: 'Flash result' }).textContent()).toContain('✓ verified');
    await shot('04-flash.png');
    await page.getByRole('button', { name: 'Continue' }).click();

    // Restore into the new image's persistence on the same device.
    await expect.poll(() => page.locator('h1').textContent()).toBe('Restore your data');
    await page.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('region', { name: 'Restore result' }).waitFor({ timeout: 120_000 });
    expect(await page.getByRole('region', { name: 'Restore result' }).textContent()).toContain('✓ verified');
    await shot('05-restore.png');
    await page.getByRole('button', { name: 'Continue' }).click();

    await expect.poll(() => page.locator('h1').textContent()).toBe('Your drive is up to date');
    const summary = await page.getByRole('region', { name: 'Summary' }).textContent();
    expect(summary).toContain(backupRoot);
    expect(summary).toContain('verified');
    await shot('06-done.png');
    await page.emulateMedia({ colorScheme: 'dark' }); // the same page in the dark theme
    await shot('07-done-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(harness.calls.get('startJob')).toBe(4);

    // The drive now carries the new image with the user's files back in its persistence store.
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
  }
}
