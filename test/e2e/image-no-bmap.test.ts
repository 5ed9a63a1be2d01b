import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/main/core/services';
import { buildFixtureImage, compressFixture } from '../helpers/fixture-image';
import { startE2eApp, type E2eApp } from './harness/app';
import type { Harness } from './harness/server';

// The image step's "Ignore the .bmap" checkbox in Chromium, against the real handlers and the real utility process:
// a damaged .bmap beside the image fails the image check (IMAGE_BMAP_INVALID), and with the box ticked the same
// image passes without a block map (the flash that follows writes the whole image). No drive is involved.

let work: string;
let image: string;
let app: E2eApp;
let services: Services;
let harness: Harness;
let page: Page;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-e2e-bmap-'));
  const fresh = await buildFixtureImage(join(work, 'release'), {
    name: 'kintsugi-v3.img',
    sizeMiB: 24,
    populate: false,
  });
  image = await compressFixture(fresh.imagePath, 'zstd');
  const bmap = join(work, 'release', 'kintsugi-v3.img.bmap');
  await execa('bmaptool', ['create', '-o', bmap, fresh.imagePath]);
  // Damaged in transit: cut short, no longer well-formed XML.
  const xml = await readFile(bmap, 'utf8');
  await writeFile(bmap, xml.slice(0, Math.floor(xml.length / 2)));

  const cacheDir = join(work, 'cache');
  app = await startE2eApp({
    services: {
      stateDir: join(work, 'userData'),
      settingsDefaults: { dataRoot: join(work, 'data'), cacheDir },
    },
    utility: { cacheDir },
    helper: 'refuse',
    lastShot: 'kintsugi-e2e-image-no-bmap-last.png',
  });
  ({ services, harness, page } = app);
});

afterAll(async () => {
  await app?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('image step: ignore the .bmap', () => {
  it('a damaged .bmap fails the check; ticking "Ignore the .bmap" checks the image without it', async () => {
    await page.goto(harness.url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('What to update');
    await page.keyboard.press('Alt+2');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Choose the new image');
    await page.getByRole('textbox', { name: 'Image file' }).fill(image);
    await page.getByRole('button', { name: 'Check image' }).click();
    await expect
      .poll(() => page.locator('.content').textContent(), { timeout: 60_000 })
      .toContain('The .bmap file is damaged or not a bmap file.');

    const box = page.getByLabel('Ignore the .bmap beside the image (write the whole image)');
    await box.check();
    await page.getByRole('button', { name: 'Check image' }).click();
    await expect
      .poll(() => page.locator('h1').textContent(), { timeout: 60_000 })
      .toBe('Choose the drive to reflash');
    const state = await services.flow.state();
    expect(state).toMatchObject({ noBmap: true, image: { path: image } });
    expect(state.image!.bmap).toBeUndefined();
  });
});
