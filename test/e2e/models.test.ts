import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userModelsManifest } from '../../src/main/core/layers/data-layout';
import type { KintsugiApi } from '../../src/shared/registry';
import { writeGgufFile } from '../helpers/gguf-fixture';
import { startHfServer } from '../helpers/hf-server';
import { hfEntry, modelsDataRoot, writeUserManifest } from '../helpers/models-fixture';
import { startOllamaStandin, type OllamaStandin } from '../helpers/ollama-standin';
import { startE2eApp, type E2eApp } from './harness/app';
import { checkedShot } from './harness/checked-shot';
import { screenshotsDir } from './harness/screenshots';
import type { Harness } from './harness/server';

// The models page and the home card in Chromium, through the harness, against the REAL handlers: a temp data root
// whose user manifest names two Hugging Face GGUF files served by test/helpers/hf-server.ts (a real HTTP server on
// 127.0.0.1; HF_ENDPOINT points at it), the pulls run in the real utility process (its env is this process's at
// its start, so HF_ENDPOINT reaches the job), Ollama is the stand-in (no Ollama can run here). The storage lines
// come from KINTSUGI_STORAGE_WARN_PCT / _REFUSE_PCT, which main's summary reads per call: set low here, the page
// asks before a pull and refuses one, from the real filesystem's usage.

declare const document: { activeElement: { tagName: string } | null };

const SHOTS = screenshotsDir();
const MiB = 1024 * 1024;
const A = { slug: 'tiny-a-q4', file: 'tiny-a-q4.gguf', size: 24 * MiB };
const B = { slug: 'tiny-b-q4', file: 'tiny-b-q4.gguf', size: 6 * MiB };
const ENV = ['HF_ENDPOINT', 'OLLAMA_HOST', 'KINTSUGI_STORAGE_WARN_PCT', 'KINTSUGI_STORAGE_REFUSE_PCT'];
const savedEnv = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
let data: string;
let hf: Awaited<ReturnType<typeof startHfServer>>;
let ollama: OllamaStandin;
let app: E2eApp;
let api: KintsugiApi;
let harness: Harness;
let page: Page;

beforeAll(async () => {
  data = await modelsDataRoot();
  const served = join(data, 'served');
  await mkdir(served);
  hf = await startHfServer();
  const entries: string[] = [];
  for (const [i, m] of [A, B].entries()) {
    const path = join(served, m.file);
    const sha256 = await writeGgufFile(path, m.size, i + 1, { fileType: 15 });
    hf.files.set(m.file, { path, sha256 });
    entries.push(hfEntry({ slug: m.slug, file: m.file, size: m.size, sha256 }));
  }
  await writeUserManifest(data, ['models:', ...entries].join('\n') + '\n');
  ollama = await startOllamaStandin(join(data, 'ollama-models'));
  process.env['HF_ENDPOINT'] = hf.base;
  process.env['OLLAMA_HOST'] = ollama.host;
  delete process.env['KINTSUGI_STORAGE_WARN_PCT'];
  delete process.env['KINTSUGI_STORAGE_REFUSE_PCT'];

  app = await startE2eApp({
    services: {
      stateDir: join(data, 'userData'),
      settingsDefaults: { dataRoot: data, cacheDir: join(data, 'cache'), metered: 'no' },
    },
    utility: { cacheDir: join(data, 'cache') },
    lastShot: 'kintsugi-e2e-models-last.png',
  });
  ({ api, harness, page } = app);
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await app?.close();
  await hf?.close();
  await ollama?.close();
  for (const k of ENV)
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  if (data) await rm(data, { recursive: true, force: true });
});

const shot = (name: string) => checkedShot(page, SHOTS, name);

const h1 = () => page.locator('h1').textContent();
const content = () => page.locator('.content').textContent();
const card = (title: string) =>
  page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
const row = (slug: string) =>
  page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: slug }) });
const rowText = (slug: string) => row(slug).textContent();
const jobRow = () => page.locator('tr.row-job');
const calls = (method: string) => harness.calls.get(method) ?? 0;
const dialog = () => page.getByRole('dialog');
const pathOf = async (slug: string) => (await api.models.list()).models.find((m) => m.slug === slug)?.path;
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
/** The filesystem's usage now, as main reports it (the thresholds below are set from it). */
const usedPercent = async () => (await api.models.summary()).usedPercent;
/** A line the pull certainly crosses: 5 points under the usage now, so other writers on this shared disk freeing
 * a few GB between this read and the pull's own cannot move the usage back under it. */
const lineBelowUsage = async () => Math.max(1, Math.floor(await usedPercent()) - 5);
/** Enter on the heading presses Read again: the list and the storage summary are read again. */
async function readAgain(): Promise<void> {
  const before = calls('models.summary');
  await page.locator('h1').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => calls('models.summary')).toBeGreaterThan(before);
  await expect.poll(() => page.getByRole('button', { name: 'Read again' }).isEnabled()).toBe(true);
}

describe('models page and home card against real pulls from a Hugging Face stand-in', () => {
  it('home says how many recommended models are missing and the space left, and opens the page', async () => {
    const shipped = (await readFile('manifests/models-recommended.yaml', 'utf8')).match(
      /status: recommended/g,
    )!.length;
    await page.goto(harness.url);
    await expect.poll(h1).toBe('What to update');
    // The shipped recommended Ollama models (missing on the stand-in) and our two recommended user entries.
    await expect
      .poll(() => card('Models').textContent(), { timeout: 30_000 })
      .toContain(`${shipped + 2} recommended models missing.`);
    expect(await card('Models').textContent()).toMatch(/left on \/\S* \(\d+% used\)/);
    expect(await card('Models').textContent()).not.toContain('partial');
    await shot('40-home-models.png');
    await card('Models').getByRole('button', { name: 'Pull models…' }).click();
    await expect.poll(h1).toBe('Models');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.keyboard.press('Alt+1');
    await expect.poll(h1).toBe('What to update');
    await page.keyboard.press('Alt+6');
    await expect.poll(h1).toBe('Models');
  });

  it('lists FROM, status, size and the storage gauge with its lines', async () => {
    await expect.poll(() => rowText(A.slug), { timeout: 30_000 }).toContain('Not downloaded');
    expect(await rowText(A.slug)).toContain('yours');
    expect(await rowText(A.slug)).toContain('24.0 MiB to download');
    expect(await rowText('qwen2.5-coder:7b')).toContain('recommended');
    const storage = page.getByRole('group', { name: 'Storage' });
    expect(await storage.textContent()).toMatch(/asks first past 80% and is refused at 95%/);
    await shot('41-models-list.png');
  });

  it('a pull shows its progress with speed and ETA while the server holds it, then completes', async () => {
    hf.faults.stallAfter = { bytes: 10 * MiB, times: 1 };
    // Focus on Pull shows what the pull would bring the filesystem to.
    await row(A.slug)
      .getByRole('button', { name: `Pull ${A.slug}` })
      .focus();
    await expect
      .poll(() => page.getByTestId('projection').textContent())
      .toContain(`After pulling ${A.slug}`);
    await page.keyboard.press('Enter');
    const bar = page.getByRole('progressbar', { name: `Pulling ${A.slug} progress` });
    await expect
      .poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 })
      .toMatch(/^(3[0-9]|4[0-2])$/);
    const line = await jobRow().textContent();
    expect(line).toMatch(/MiB of 24\.0 MiB/);
    expect(line).toMatch(/\/s/); // the speed
    expect(line).toMatch(/left/); // the ETA
    expect(
      await row(A.slug)
        .getByRole('button', { name: `Pull ${A.slug}` })
        .isDisabled(),
    ).toBe(true);
    await shot('42-models-pull-in-progress.png');
    // Release: the held response is dropped; the job resumes with a Range request and finishes.
    hf.dropOpen();
    await expect.poll(() => rowText(A.slug), { timeout: 90_000 }).toContain('✓ Installed');
    expect(await rowText(A.slug)).toContain('Q4_K_M');
    expect(await rowText(A.slug)).toContain('24.0 MiB');
    expect(await jobRow().count()).toBe(0);
    // Resumed where the last whole batch was written (before the held bytes), not from the start.
    expect(
      hf.log.some(
        (r) => r.url.includes(A.file) && r.status === 206 && /^bytes=[1-9]\d*-$/.test(r.range ?? ''),
      ),
    ).toBe(true);
    expect(await exists((await pathOf(A.slug))!)).toBe(true);
    await shot('43-models-pulled.png');
  });

  it('verify checks the sha256 and says so on the row', async () => {
    await row(A.slug)
      .getByRole('button', { name: `Verify ${A.slug}` })
      .click();
    await expect
      .poll(() => rowText(A.slug), { timeout: 60_000 })
      .toContain('Verified: the sha256 matches the manifest.');
  });

  it('refuses a pull that would cross the refuse line, before anything starts', async () => {
    process.env['KINTSUGI_STORAGE_WARN_PCT'] = '1';
    process.env['KINTSUGI_STORAGE_REFUSE_PCT'] = String(await lineBelowUsage());
    await readAgain();
    const pulls = calls('models.pull');
    await row(B.slug)
      .getByRole('button', { name: `Pull ${B.slug}` })
      .click();
    const alert = page.locator('.error-box, [role=alert]').filter({ hasText: 'refusing pull' });
    await alert.first().waitFor();
    const text = await alert.first().textContent();
    expect(text).toMatch(new RegExp(`Storage at \\d+% of \\S+ after ${B.slug} — refusing pull`));
    expect(text).toContain('Remove a model you no longer need');
    expect(calls('models.pull')).toBe(pulls);
    expect(hf.log.some((r) => r.url.includes(B.file))).toBe(false);
    await shot('44-models-storage-refused.png');
  });

  it('asks before a pull that would cross the warn line; no says no, yes pulls', async () => {
    const warn = await lineBelowUsage();
    process.env['KINTSUGI_STORAGE_WARN_PCT'] = String(warn);
    process.env['KINTSUGI_STORAGE_REFUSE_PCT'] = '99';
    await readAgain();
    const pulls = calls('models.pull');
    await row(B.slug)
      .getByRole('button', { name: `Pull ${B.slug}` })
      .click();
    await dialog().waitFor();
    expect(await dialog().textContent()).toMatch(new RegExp(`past the ${warn}% warning line`));
    await shot('45-models-storage-ask.png');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
    expect(calls('models.pull')).toBe(pulls);
    await row(B.slug)
      .getByRole('button', { name: `Pull ${B.slug}` })
      .click();
    await dialog()
      .getByRole('button', { name: `Yes, pull ${B.slug}` })
      .click();
    await expect.poll(() => rowText(B.slug), { timeout: 90_000 }).toContain('✓ Installed');
    expect(calls('models.pull')).toBe(pulls + 1);
    delete process.env['KINTSUGI_STORAGE_WARN_PCT'];
    delete process.env['KINTSUGI_STORAGE_REFUSE_PCT'];
  });

  it('cancel keeps a partial download, home counts it, Resume finishes it', async () => {
    // B's file goes behind the app's back; the list read again says it is missing.
    await rm((await pathOf(B.slug))!);
    await readAgain();
    await expect.poll(() => rowText(B.slug)).toContain('Not downloaded');
    hf.faults.stallAfter = { bytes: 4 * MiB, times: 1 };
    await row(B.slug)
      .getByRole('button', { name: `Pull ${B.slug}` })
      .click();
    const bar = page.getByRole('progressbar', { name: `Pulling ${B.slug} progress` });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('67');
    await jobRow().getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => rowText(B.slug), { timeout: 60_000 }).toContain('Partial download');
    expect(await rowText(B.slug)).toContain('4.0 MiB of 6.0 MiB');
    await shot('46-models-pull-cancelled.png');
    await page.keyboard.press('Alt+1');
    await expect.poll(() => card('Models').textContent()).toContain('1 partial download to resume.');
    await page.keyboard.press('Alt+6');
    await expect.poll(h1).toBe('Models');
    await row(B.slug)
      .getByRole('button', { name: `Resume ${B.slug}` })
      .click();
    await expect.poll(() => rowText(B.slug), { timeout: 90_000 }).toContain('✓ Installed');
    expect(hf.log.some((r) => r.status === 206 && r.range === `bytes=${4 * MiB}-`)).toBe(true);
    await expect.poll(content).not.toContain('Partial download');
  });

  it('on a metered network a pull asks first; Cancel starts nothing, Download anyway pulls', async () => {
    await rm((await pathOf(B.slug))!);
    await api.app.saveSettings({ metered: 'yes' });
    try {
      await readAgain();
      await expect.poll(() => rowText(B.slug)).toContain('Not downloaded');
      const pulls = calls('models.pull');
      await row(B.slug)
        .getByRole('button', { name: `Pull ${B.slug}` })
        .click();
      await dialog().waitFor();
      expect(await dialog().textContent()).toContain('the Metered setting says so');
      await shot('45b-models-metered-ask.png');
      await dialog().getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => dialog().count()).toBe(0);
      expect(calls('models.pull')).toBe(pulls);
      await row(B.slug)
        .getByRole('button', { name: `Pull ${B.slug}` })
        .click();
      await dialog().getByRole('button', { name: 'Download anyway' }).click();
      // The person's yes reaches main with the pull: main's own gate would refuse it otherwise.
      await expect.poll(() => rowText(B.slug), { timeout: 90_000 }).toContain('✓ Installed');
      expect(calls('models.pull')).toBe(pulls + 1);
    } finally {
      await api.app.saveSettings({ metered: 'no' });
    }
  });

  it('remove takes your entry out of your manifest and, when ticked, deletes its weights', async () => {
    const path = (await pathOf(A.slug))!;
    await row(A.slug)
      .getByRole('button', { name: `Remove ${A.slug}` })
      .click();
    await dialog().waitFor();
    await dialog().getByRole('checkbox').check();
    await shot('47-models-remove-ask.png');
    await dialog().getByRole('button', { name: 'Delete the weights' }).click();
    await expect.poll(() => row(A.slug).count(), { timeout: 60_000 }).toBe(0);
    expect(await exists(path)).toBe(false);
    const manifest = await readFile(userModelsManifest(data), 'utf8');
    expect(manifest).not.toContain(A.slug);
    expect(manifest).toContain(B.slug);
    await shot('48-models-removed.png');
  });
});
