import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateNeed } from '../../src/main/core/backup/space';
import { withMountedPersistence } from '../../src/main/core/persistence/mount';
import { buildFixtureImage, compressFixture, writeSha256File } from '../helpers/fixture-image';
import { attachLoop, detachLoop } from '../helpers/loop';
import { axeViolations } from './harness/axe';
import { startE2eApp, type E2eApp } from './harness/app';
import { screenshotsDir } from './harness/screenshots';
import type { Harness } from './harness/server';

// What the wizard says before anything is backed up or flashed, in Chromium against the real handlers, the real
// utility process and real loop devices: a Ventoy-style drive whose persistence is a persistence.dat file shows
// how much room its backup needs as soon as it is chosen (and the backup step the same, counted in the chosen
// folder's blocks), with the flash's time estimate; a drive with no store says why there is no figure and what
// happens instead; and before the image is even checked, its file's size, the image size its header states and
// the flash time. No job writes anything here: the helper is never started.

const SHOTS = screenshotsDir();
const MiB = 1024 * 1024;
let work: string;
let image: string;
let sha256File: string;
let ventoyDevice: string | undefined;
let bareDevice: string | undefined;
let ventoyImage: string;
let destRoot: string;
let app: E2eApp;
let harness: Harness;
let page: Page;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-e2e-need-'));
  destRoot = work; // any folder that exists: the need is counted in its filesystem's blocks
  const fresh = await buildFixtureImage(join(work, 'release'), {
    name: 'kintsugi-v3.img',
    sizeMiB: 24,
    populate: false,
  });
  image = await compressFixture(fresh.imagePath, 'zstd');
  sha256File = await writeSha256File([image], `${image}.sha256`);
  await rm(fresh.imagePath);
  // Ventoy layout: data partition 1 (ext4 here: this kernel cannot mount exFAT) holding persistence.dat.
  const ventoy = await buildFixtureImage(join(work, 'ventoy'), {
    sizeMiB: 64,
    layout: 'ventoy',
    datSizeMiB: 32,
  });
  ventoyImage = ventoy.imagePath;
  ventoyDevice = await attachLoop(ventoyImage);
  const bare = await buildFixtureImage(join(work, 'bare'), {
    sizeMiB: 48,
    layout: 'ventoy',
    placeDat: false,
  });
  bareDevice = await attachLoop(bare.imagePath);

  const cacheDir = join(work, 'cache');
  app = await startE2eApp({
    services: {
      stateDir: join(work, 'userData'),
      settingsDefaults: { dataRoot: join(work, 'data'), cacheDir, includeLoop: true },
    },
    utility: { cacheDir },
    helper: 'refuse',
    lastShot: 'kintsugi-e2e-backup-need-last.png',
  });
  ({ harness, page } = app);
});

afterAll(async () => {
  await app?.close();
  if (ventoyDevice) await detachLoop(ventoyDevice);
  if (bareDevice) await detachLoop(bareDevice);
  if (work) await rm(work, { recursive: true, force: true });
});

const h1 = () => page.locator('h1').textContent();
const fact = (name: string) => page.locator(`[data-fact="${name}"]`).first();

/** "about 1.7 MiB ..." -> bytes (to the precision shown). */
function shownBytes(text: string): number {
  const m = /^about ([\d.]+) (B|KiB|MiB|GiB)/.exec(text.trim());
  if (!m) throw new Error(`no size in "${text}"`);
  return Number(m[1]) * { B: 1, KiB: 1024, MiB: MiB, GiB: 1024 * MiB }[m[2] as 'B'];
}

describe('estimates before anything runs', () => {
  it('a persistence.dat drive: the backup need as soon as it is chosen, and the flash time', async () => {
    await page.goto(harness.url);
    await expect.poll(h1).toBe('What to update');
    await page.keyboard.press('Alt+2');
    await expect.poll(h1).toBe('Choose the new image');
    // Before the check: a path that names nothing says so; the image's own file gives its sizes at once.
    await page.getByRole('textbox', { name: 'Image file' }).fill(join(work, 'no-such.img.zst'));
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'no-such.img.zst' }).textContent())
      .toBe('no-such.img.zst: no such file.');
    await page.getByRole('textbox', { name: 'Image file' }).fill(image);
    await expect.poll(() => fact('image-size').textContent()).toMatch(/^24\.0 MiB \(as its header states/);
    expect(await fact('file-size').textContent()).toMatch(/ KiB \(zstd\)$/);
    expect(await fact('flash-time').textContent()).toMatch(
      /^about .* \(an estimate at a typical speed\) to write 24\.0 MiB/,
    );
    expect(await page.locator('.lead').first().textContent()).toMatch(
      /Checking reads the whole file once: about /,
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'need-01-image-before-check.png'), fullPage: true });
    await page.getByRole('textbox', { name: 'Checksum file (.sha256)' }).fill(sha256File);
    await page.getByRole('button', { name: 'Check image' }).click();
    await expect.poll(h1, { timeout: 60_000 }).toBe('Choose the drive to reflash');

    // Nothing measured on this machine yet: the flash time is said to be an estimate.
    const ventoyRadio = page.locator(`input[type=radio][value="${ventoyDevice}"]`);
    await ventoyRadio.waitFor({ timeout: 30_000 });
    await ventoyRadio.check();
    await expect.poll(() => fact('backup-need').textContent(), { timeout: 30_000 }).toMatch(/^about /);
    const atDrive = (await fact('backup-need').textContent())!;
    expect(atDrive).toContain('persistence.dat on partition 1');
    expect(await fact('flash-time').textContent()).toMatch(
      /^about .* \(an estimate at a typical speed\) to write 24\.0 MiB/,
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'need-02-drive-ventoy.png'), fullPage: true });

    // The backup step: the same store, counted in the chosen folder's blocks; what the backup's own room check
    // will ask for (the mounted store measured file by file) to the precision shown, and never less.
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(h1).toBe('Back up your data');
    await page.getByRole('textbox', { name: 'Backup destination folder' }).fill(destRoot);
    await expect
      .poll(() => fact('backup-need').textContent(), { timeout: 30_000 })
      .toContain("counted in the destination's");
    const atBackup = (await fact('backup-need').textContent())!;
    const asked = await withMountedPersistence(
      ventoyImage,
      { readOnly: true, includeLoop: false },
      async (mnt) => (await estimateNeed(mnt, undefined, destRoot)).requiredBytes,
    );
    expect(shownBytes(atBackup)).toBeGreaterThanOrEqual(asked * 0.95); // "1.7 MiB" rounds
    expect(shownBytes(atBackup)).toBeLessThan(asked * 1.1 + MiB);
    expect(await page.locator('.lead').first().textContent()).toMatch(/Time: about .* at most\./);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'need-03-backup-ventoy.png'), fullPage: true });

    // Back on the image step, its report carries the flash time too.
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await expect.poll(h1).toBe('Choose the drive to reflash');
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await expect.poll(h1).toBe('Choose the new image');
    expect(await fact('flash-time').textContent()).toContain('to write 24.0 MiB');
  });

  it('a drive with no persistence store: says why there is no figure, and what happens instead', async () => {
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(h1).toBe('Choose the drive to reflash');
    await page.locator(`input[type=radio][value="${bareDevice}"]`).check();
    await expect
      .poll(() => fact('backup-need').textContent(), { timeout: 30_000 })
      .toMatch(/^not known yet: .*no partition labelled persistence/);
    expect(await fact('backup-need').textContent()).toContain(
      'It will be measured when the backup starts, and the backup stops before copying anything',
    );
    expect(await axeViolations(page)).toEqual([]);
  });
});
