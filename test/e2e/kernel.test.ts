import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateFile } from '../../src/main/core/kernel/install/paths';
import type { Services } from '../../src/main/core/services';
import { gatherLayerAttention } from '../../src/main/tray-layers';
import type { KintsugiApi } from '../../src/shared/registry';
import {
  dpkgState,
  kernelDeb,
  kernelRoot,
  PKG,
  type KernelDeb,
  type KernelRoot,
} from '../helpers/kernel-root';
import { makeKernelWorkspace, type KernelWorkspace } from '../helpers/kernel-workspace';
import { startE2eApp, type E2eApp } from './harness/app';
import { checkedShot } from './harness/checked-shot';
import { PickPathStandIn } from './harness/pick-stand-in';
import { screenshotsDir } from './harness/screenshots';
import type { Harness } from './harness/server';

// The kernel page in Chromium against the REAL handlers: a real workspace (git, format-patch series), promote
// and build in the real utility process (the deb stand-in build script: a second, real dpkg-deb), install and
// rollback in the real helper process (started directly: we are root) with real dpkg into a throwaway root that
// main was given through the services' kernel.root seam. Only the file chooser is a stand-in.

const SHOTS = screenshotsDir();
const BUILD_HOST = 'fresnel-deb';
const INSTALL_HOST = 'board-1';

let work: string;
let ws: KernelWorkspace;
let k: KernelRoot;
let next: KernelDeb;
let app: E2eApp;
let services: Services;
let api: KintsugiApi;
let harness: Harness;
let page: Page;
const picks = new PickPathStandIn();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-e2e-kernel-'));
  ws = await makeKernelWorkspace(work);
  await ws.writeManifest(BUILD_HOST, { kind: 'deb', template: 'templates/build.stand-in.sh.in' });
  // The install host's manifest matches helpers/kernel-root.ts's packages (linux-kintsugi, x86_64).
  await ws.writeManifest(INSTALL_HOST, { kind: 'deb', pkgbase: PKG, arch: 'x86_64' });
  await ws.commitWorkspace('hosts for the page');
  k = await kernelRoot();
  next = await kernelDeb(k.dir, { version: '6.6.2-1', release: '6.6.2-kintsugi' });
  app = await startE2eApp({
    services: {
      stateDir: join(work, 'userData'),
      settingsDefaults: { cacheDir: join(work, 'cache'), metered: 'no' },
      kernel: { root: k.root },
    },
    utility: { cacheDir: join(work, 'cache') },
    helper: 'direct',
    pick: picks.pick,
    lastShot: 'kintsugi-e2e-kernel-last.png',
  });
  ({ services, api, harness, page } = app);
  await mkdir(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await app?.close();
  if (k) await rm(k.dir, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

const shot = (name: string) => checkedShot(page, SHOTS, name);
const h1 = () => page.locator('h1').textContent();
const content = () => page.locator('.content').textContent();
const heartbeat = () => page.getByTestId('kernel-heartbeat').textContent();
const primary = () => page.locator('[data-primary]').textContent();
const hostButton = (h: string) =>
  page.getByRole('list', { name: 'Hosts' }).getByRole('button', { name: h, exact: true });

describe('the kernel page against a real workspace, the utility and the helper', () => {
  it('without a workspace says so and opens Settings, where the workspace is set; then lists the hosts', async () => {
    await page.goto(harness.url);
    await expect.poll(h1).toBe('What to update');
    await page.keyboard.press('Alt+8');
    await expect.poll(h1).toBe('Kernel');
    await expect.poll(content).toContain('No kernel workspace is set');
    await shot('60-kernel-no-workspace.png');
    // Enter on the heading presses the primary action: Settings opens.
    await page.locator('h1').focus();
    await page.keyboard.press('Enter');
    const field = page.getByRole('dialog').getByLabel('Kernel workspace', { exact: true });
    await field.fill(ws.workspace);
    await field.press('Enter');
    await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => services.settings.load().then((s) => s.kernelWorkspace)).toBe(ws.workspace);
    await expect
      .poll(() => page.getByRole('list', { name: 'Hosts' }).getByRole('button').allTextContents())
      .toEqual([INSTALL_HOST, 'fresnel', BUILD_HOST]);
  });

  it('promote shows the series in apply order, the diffstat and the b2sum of the patch it wrote', async () => {
    await hostButton(BUILD_HOST).click();
    await expect.poll(content).toContain('soc → driver → board');
    await expect.poll(primary).toBe('Promote');
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    const b2 = page.getByTestId('kernel-b2sum');
    await expect.poll(() => b2.count(), { timeout: 30_000 }).toBe(1);
    // Checked against other tools on the file written: b2sum(1) and git apply --numstat.
    const patch = join(ws.workspace, 'out', BUILD_HOST, 'linux-fresnel-6.9.0.patch');
    const sum = (await execa('b2sum', [patch])).stdout.split(' ')[0];
    expect(await b2.textContent()).toBe(sum);
    // numstat has a line per section; a file two series touch is one file (as git diff --stat counts it).
    const numstat = (await execa('git', ['apply', '--numstat', patch])).stdout.trim().split('\n');
    const rows = numstat.map((l) => l.split('\t'));
    const files = new Set(rows.map((r) => r[2])).size;
    const ins = rows.reduce((n, r) => n + Number(r[0]), 0);
    const del = rows.reduce((n, r) => n + Number(r[1]), 0);
    expect(files).toBeGreaterThan(1);
    expect(await page.getByTestId('kernel-diffstat').textContent()).toBe(
      `${files} files changed, ${ins} insertions(+), ${del} deletions(-)`,
    );
    const series = await page.locator('.kernel-series li').allTextContents();
    expect(series[0]).toMatch(/^soc\/sm8250-fixes\/0001-/);
    expect(series.at(-1)).toMatch(/^board\/fresnel-dts\/0001-/);
    expect(await content()).toContain(patch);
    await shot('61-kernel-promoted.png');
  });

  it('build streams its log while it runs and shows the package', async () => {
    await expect.poll(primary).toBe('Build');
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    // The stand-in's patch(1) output arrives as job log events, line by line.
    await expect
      .poll(() => page.getByTestId('kernel-live-log').last().textContent(), { timeout: 30_000 })
      .toContain('patching file');
    await expect.poll(content, { timeout: 60_000 }).toContain('linux-fresnel_6.9.0-1_arm64.deb');
    await expect
      .poll(() => page.getByTestId('kernel-live-log').last().textContent())
      .toContain('published 1 package');
    await shot('62-kernel-built.png');
  });

  it('install: the picked package, a typed confirmation naming the host, then the backup and the heartbeat wait', async () => {
    await hostButton(INSTALL_HOST).click();
    await expect.poll(heartbeat).toBe('No kernel installed by Kintsugi');
    picks.willPick('kernel-package', next.file);
    await page.getByRole('button', { name: 'Install…' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain(next.file);
    // The version being replaced, from the root's package database.
    expect(await dialog.textContent()).toContain(`replaces ${PKG} 6.6.1-1 under ${k.root}`);
    const confirm = dialog.getByRole('button', { name: `Install on ${INSTALL_HOST}` });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole('textbox').fill(INSTALL_HOST);
    await shot('63-kernel-install-confirm.png');
    await confirm.click();
    const backup = page.getByTestId('kernel-backup-path');
    await expect.poll(() => backup.count(), { timeout: 60_000 }).toBe(1);
    const folder = join(k.root, 'var/backups/kintsugi-kernel', INSTALL_HOST, '6.6.1-1');
    expect(await backup.textContent()).toBe(folder);
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.2-1 ii`);
    await expect.poll(heartbeat).toMatch(/^Waiting for the heartbeat: due by .* \(in 10 min\)$/);
    expect(picks.asked).toContain('kernel-package');
    await shot('64-kernel-installed.png');
  });

  it('an overdue heartbeat is said on the page, makes rollback the primary action and raises the tray count', async () => {
    // As if the deadline passed: the record's timeout set to 0 (the heartbeat rule itself is unit-tested).
    const file = stateFile(k.root, INSTALL_HOST);
    const rec = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...rec, heartbeatTimeoutSec: 0 }));
    // Choosing the host (again) reads its status again.
    await hostButton(INSTALL_HOST).click();
    await expect.poll(heartbeat).toMatch(/^Heartbeat overdue by/);
    await expect.poll(primary).toBe('Roll back…');
    expect(await api.kernel.overdue()).toEqual([INSTALL_HOST]);
    expect([...(await gatherLayerAttention(api)).values()]).toContainEqual({
      layer: 'kernel',
      count: 1,
      text: `kernel heartbeat overdue on ${INSTALL_HOST}`,
    });
    await shot('65-kernel-overdue.png');
    // Home says it too, with the way to the page.
    await page.keyboard.press('Alt+1');
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Kernel' }) });
    await expect.poll(() => card.textContent()).toContain(`Heartbeat overdue on ${INSTALL_HOST}`);
    await shot('66-kernel-home-overdue.png');
    await card.getByRole('button', { name: 'Open' }).click();
    await expect.poll(h1).toBe('Kernel');
  });

  it('rollback asks, then puts the replaced kernel back', async () => {
    await page.locator('h1').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('6.6.1-1');
    await dialog.getByRole('button', { name: `Roll back ${INSTALL_HOST}` }).click();
    await expect.poll(heartbeat, { timeout: 60_000 }).toBe('Rolled back');
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.1-1 ii`);
    expect(await content()).toContain(`Rolled back: package: downgraded ${PKG} to 6.6.1-1`);
    expect(await content()).toContain('Rolled back from6.6.2-1');
    await shot('67-kernel-rolled-back.png');
    await page.keyboard.press('Alt+1');
    await expect.poll(h1).toBe('What to update');
    expect(await page.locator('#home-kernel').count()).toBe(0);
  });
});
