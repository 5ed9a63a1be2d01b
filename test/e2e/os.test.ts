import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KintsugiApi } from '../../src/shared/registry';
import { createOstreeSysroot, type OstreeSysroot } from '../helpers/ostree-sysroot';
import { startE2eApp, type E2eApp } from './harness/app';
import { checkedShot } from './harness/checked-shot';
import { screenshotsDir } from './harness/screenshots';
import type { Harness } from './harness/server';

// The System updates page and the home card in Chromium, through the harness, against the REAL handlers
// (api/os-handlers.ts over createServices) and the REAL privileged helper (out/main/helper.js, started directly:
// we are root, so its authorizer lets root's own throwaway sysroot through). The target is a real ostree sysroot
// from test/helpers/ostree-sysroot.ts, handed to createServices as main's own config (os.target): the page never
// names it. 42.1 is deployed; 42.2 is published on the sysroot's 127.0.0.1 remote, with a large kernel so the
// apply runs long enough for its progress to be seen. The network is set metered, so Check now and Apply ask.

const SHOTS = screenshotsDir();
const MiB = 1024 * 1024;
let work: string;
let os: OstreeSysroot;
let app: E2eApp;
let api: KintsugiApi;
let harness: Harness;
let page: Page;

beforeAll(async () => {
  os = await createOstreeSysroot({ deployed: '42.1', published: null });
  await os.publish('42.2', { kernelBytes: 256 * MiB });
  work = await mkdtemp(join(tmpdir(), 'kintsugi-e2e-os-'));
  app = await startE2eApp({
    services: {
      stateDir: join(work, 'userData'),
      settingsDefaults: { dataRoot: join(work, 'data'), cacheDir: join(work, 'cache'), metered: 'yes' },
      os: { target: { sysroot: os.sysroot, osName: os.osName } },
    },
    // The OS jobs' host. It inherits OSTREE_SYSROOT_DEBUG from the fixture, so the test can delete its
    // deployments afterwards.
    helper: 'direct',
    lastShot: 'kintsugi-e2e-os-last.png',
  });
  ({ api, harness, page } = app);
  await mkdir(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await os?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const shot = (name: string) => checkedShot(page, SHOTS, name);
const h1 = () => page.locator('h1').textContent();
const content = () => page.locator('.content').textContent();
const card = (title: string) =>
  page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
const dialog = () => page.getByRole('dialog');
const deploymentRow = (version: string) =>
  page
    .getByRole('table', { name: 'Deployments' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: version, exact: true }) });
const calls = (method: string) => harness.calls.get(method) ?? 0;
const jobsOfType = async (type: string) => (await api.jobs.list()).filter((j) => j.type === type).length;
/** What ostree itself says (not the app): the default deployment's version is the first "Version:" line. */
const ostreeDefault = async () =>
  /Version: (\S+)/.exec(await os.ostree(['admin', 'status', `--sysroot=${os.sysroot}`]))?.[1];

describe('System updates page and home card against a real ostree sysroot', () => {
  it('opens with Alt+7, shows the backend and the current version, nothing checked yet', async () => {
    await page.goto(harness.url);
    await expect.poll(h1).toBe('What to update');
    await expect.poll(() => card('System updates').textContent()).toContain('Never checked for updates.');
    await page.keyboard.press('Alt+7');
    await expect.poll(h1).toBe('System updates');
    await expect.poll(content, { timeout: 30_000 }).toContain('current version 42.1');
    expect(await content()).toContain('ostree');
    expect(await content()).toContain('Last check: never.');
    // The deployed one, booted or not: one row, no rollback target yet.
    expect(await deploymentRow('42.1').textContent()).toContain(os.commits['42.1']!.slice(0, 10));
    expect(await page.getByRole('button', { name: 'Rollback…' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Apply…' }).count()).toBe(0);
    await shot('50-os-not-checked.png');
  });

  it('Check now asks on a metered network (Cancel starts nothing), then lists 42.2', async () => {
    const checks = await jobsOfType('os-check');
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect.poll(() => dialog().textContent()).toContain('metered network');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog().count()).toBe(0);
    expect(await jobsOfType('os-check')).toBe(checks);
    // Enter on the heading presses the primary action (Check now while nothing is known to apply).
    await page.locator('h1').focus();
    await page.keyboard.press('Enter');
    await dialog().getByRole('button', { name: 'Download anyway' }).click();
    const updates = page.getByRole('table', { name: 'OS updates' });
    await expect.poll(() => updates.count(), { timeout: 60_000 }).toBe(1);
    expect(await updates.textContent()).toContain('42.1 → 42.2');
    expect(await updates.textContent()).toContain(os.ref);
    expect(await content()).toContain('1 update');
    expect(await jobsOfType('os-check')).toBe(checks + 1);
    // Apply is now the primary action.
    expect(await page.locator('[data-primary]').first().textContent()).toBe('Apply…');
    await shot('51-os-update-found.png');
  });

  it('Apply confirms what changes, shows its progress, deploys 42.2 and says a reboot is needed', async () => {
    await page.getByRole('button', { name: 'Apply…' }).click();
    await expect.poll(() => dialog().textContent()).toContain('42.1 → 42.2');
    await shot('52-os-apply-confirm.png');
    await dialog().getByRole('button', { name: 'Apply now' }).click();
    await dialog().getByRole('button', { name: 'Download anyway' }).click();
    const bar = page.getByRole('progressbar', { name: 'Applying OS updates progress' });
    await expect.poll(() => bar.count(), { timeout: 30_000, interval: 50 }).toBe(1);
    // The bar shows "Starting…" until the helper's first progress arrives; then the phase in words.
    await expect
      .poll(() => page.locator('.job-title').textContent(), { interval: 50 })
      .toMatch(/Applying OS updates: (Downloading|Deploying)/);
    expect(await page.getByRole('button', { name: 'Check now' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, '53-os-apply-in-progress.png') });
    await expect.poll(() => deploymentRow('42.2').count(), { timeout: 120_000 }).toBe(1);
    await expect.poll(content).toContain('Reboot needed to use it');
    expect(await deploymentRow('42.2').textContent()).toContain('default at next boot');
    expect(await deploymentRow('42.1').textContent()).toContain('rollback target');
    expect(await ostreeDefault()).toBe('42.2');
    expect(await content()).toContain('No updates');
    await shot('54-os-applied.png');
  });

  it('Pin pins a deployment (ostree says so too), Unpin undoes it', async () => {
    await deploymentRow('42.1').getByRole('button', { name: 'Pin 42.1' }).click();
    await expect.poll(() => deploymentRow('42.1').textContent(), { timeout: 60_000 }).toContain('pinned');
    expect(await os.ostree(['admin', 'status', `--sysroot=${os.sysroot}`])).toMatch(/Pinned: yes/);
    expect(await deploymentRow('42.2').textContent()).not.toContain('pinned');
    await shot('55-os-pinned.png');
    await deploymentRow('42.1').getByRole('button', { name: 'Unpin 42.1' }).click();
    await expect.poll(() => deploymentRow('42.1').textContent(), { timeout: 60_000 }).not.toContain('pinned');
    expect(await os.ostree(['admin', 'status', `--sysroot=${os.sysroot}`])).not.toMatch(/Pinned: yes/);
  });

  it('Rollback asks, then makes 42.1 the default again', async () => {
    await page.getByRole('button', { name: 'Rollback…' }).click();
    await expect.poll(() => dialog().textContent()).toContain('42.1 (deployment 1) becomes the default');
    await shot('56-os-rollback-confirm.png');
    // Cancel leaves ostree as it was.
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect(await ostreeDefault()).toBe('42.2');
    await page.getByRole('button', { name: 'Rollback…' }).click();
    await dialog().getByRole('button', { name: 'Make 42.1 the default' }).click();
    await expect.poll(() => content(), { timeout: 60_000 }).toContain('Rolled back');
    await expect.poll(() => deploymentRow('42.1').textContent()).toContain('default at next boot');
    expect(await ostreeDefault()).toBe('42.1');
    await shot('57-os-rolled-back.png');
  });

  it('home shows the count from a check, and opens the page', async () => {
    // After the rollback 42.2 is again newer than the default: a check finds it, and the card counts it.
    await page.getByRole('button', { name: 'Check now' }).click();
    await dialog().getByRole('button', { name: 'Download anyway' }).click();
    // The rollback's refresh already lists 42.2 (ostree compares offline): wait for the check itself to end.
    await expect
      .poll(
        async () => (await api.jobs.list()).filter((j) => j.type === 'os-check' && j.state === 'done').length,
        {
          timeout: 60_000,
        },
      )
      .toBe(2);
    expect((await api.os.overview()).badge.updates).toBe(1);
    const overviews = calls('os.overview');
    await page.keyboard.press('Alt+1');
    await expect.poll(h1).toBe('What to update');
    await expect.poll(() => calls('os.overview')).toBeGreaterThanOrEqual(overviews);
    await expect
      .poll(() => card('System updates').textContent())
      .toContain('1 update (0 security) for TestOS 42.1.');
    expect(await card('System updates').textContent()).toContain('Last check: just now.');
    await shot('58-home-os.png');
    await card('System updates').getByRole('button', { name: 'Review and apply…' }).click();
    await expect.poll(h1).toBe('System updates');
  });
});
