import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolkitCloneDir, userFrameworksManifest } from '../../src/main/core/layers/data-layout';
import { type KintsugiApi } from '../../src/shared/registry';
import { g, makeToolkitRemote, type ToolkitRemote } from '../helpers/git-fixture';
import { refusedHost } from '../helpers/ollama-standin';
import { axeViolations } from './harness/axe';
import { startE2eApp, type E2eApp } from './harness/app';
import { checkedShot } from './harness/checked-shot';
import { screenshotsDir } from './harness/screenshots';
import type { Harness } from './harness/server';

// The dashboard and the docs & scripts and frameworks pages in Chromium, through the harness, against the REAL
// handler object: a bare git remote and a clone of it under a temp data root (the repo jobs run in the real
// utility process), the shipped frameworks catalog plus a user entry installed with the real npm from the registry
// into a temp prefix. No stand-in but the file chooser (never opened here).

declare const document: { activeElement: { tagName: string; textContent: string | null } | null };

const SHOTS = screenshotsDir();
const NPM_PKG = 'json@11.0.0';
const SCRIPT = 'scripts/usb-toolkit/kintsugi-hello';
let work: string;
let data: string;
let clone: string;
let prefix: string;
let remote: ToolkitRemote;
let app: E2eApp;
let api: KintsugiApi;
let harness: Harness;
let page: Page;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-e2e-dash-'));
  // No Ollama: a port nothing listens on, so the models card's words do not depend on this machine.
  process.env['OLLAMA_HOST'] = await refusedHost();
  data = join(work, 'data');
  clone = toolkitCloneDir(data);
  prefix = join(work, 'npm-prefix');
  remote = await makeToolkitRemote(work);
  await remote.commit(
    'first docs',
    { 'docs/guide.md': 'v1\n', 'README.md': 'toolkit\n', [SCRIPT]: '#!/bin/sh\necho hello\n' },
    { executable: [SCRIPT] },
  );
  await mkdir(join(data, 'frameworks', 'user'), { recursive: true });
  await writeFile(
    userFrameworksManifest(data),
    [
      'frameworks:',
      '  - name: json-cli',
      '    status: recommended',
      `    recipe: { npm: "${NPM_PKG}" }`,
      '    binary: json',
      '    sign_in: "Nothing to sign in to: run `json --help`."',
    ].join('\n') + '\n',
  );

  app = await startE2eApp({
    services: {
      stateDir: join(work, 'userData'),
      settingsDefaults: {
        dataRoot: data,
        cacheDir: join(work, 'cache'),
        npmPrefix: prefix,
        binDir: join(work, 'bin'),
        repoRemote: remote.bare,
        metered: 'no',
      },
    },
    utility: { cacheDir: join(work, 'cache') },
    // The link job's host.
    helper: 'direct',
    lastShot: 'kintsugi-e2e-dash-last.png',
  });
  ({ api, harness, page } = app);
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await app?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const shot = (name: string) => checkedShot(page, SHOTS, name);

const h1 = () => page.locator('h1').textContent();
const content = () => page.locator('.content').textContent();
const card = (title: string) =>
  page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
const calls = (method: string) => harness.calls.get(method) ?? 0;
const dialog = () => page.getByRole('dialog');
const focused = () =>
  page.evaluate(() => document.activeElement?.textContent ?? document.activeElement?.tagName);
const author = ['-c', 'user.name=me', '-c', 'user.email=me@example.invalid'];

describe('home, docs & scripts and frameworks against a real clone and the real npm', () => {
  it('home offers the clone when it is missing; the page clones from the remote setting', async () => {
    await page.goto(harness.url);
    await expect.poll(h1).toBe('What to update');
    await expect.poll(() => card('Docs & scripts').textContent()).toContain('Not cloned yet');
    await card('Docs & scripts').getByRole('button', { name: 'Clone…' }).click();
    await expect.poll(h1).toBe('Docs & scripts');
    await expect.poll(content).toContain(remote.bare);
    await shot('19-repo-not-cloned.png');
    await page.getByRole('button', { name: 'Clone', exact: true }).click();
    await expect.poll(content, { timeout: 60_000 }).toContain('first docs');
    expect(await g(clone, ['rev-parse', 'HEAD'])).toBe(await g(remote.author, ['rev-parse', 'HEAD']));
    // The remote moves on after the clone was made: the clone is 2 behind once it checks.
    await remote.commit('second docs', { 'docs/guide.md': 'v2\n' });
    await remote.commit('third docs', { 'docs/models.md': 'models\n' });
    await page.keyboard.press('Alt+1');
  });

  it('home shows each layer from real state, the system card with its page (never checked here)', async () => {
    await expect.poll(h1).toBe('What to update');
    await expect.poll(() => card('Docs & scripts').textContent()).toContain('Never checked for updates.');
    await expect
      .poll(() => card('Frameworks').textContent(), { timeout: 30_000 })
      .toMatch(/\d+ recommended frameworks? not installed/);
    // No Ollama here (OLLAMA_HOST is a port nothing listens on): the card says its models are not known.
    await expect
      .poll(() => card('Models').textContent(), { timeout: 30_000 })
      .toMatch(/Ollama not reachable: \d+ recommended unknown\./);
    expect(await card('Models').getByRole('button', { name: 'Open models' }).count()).toBe(1);
    // The system card reads main's OS record offline (nothing checked in this state dir) and opens its page.
    await expect
      .poll(() => card('System updates').textContent())
      .toMatch(/Never checked|No OS update system/);
    expect(await card('System updates').getByRole('button').count()).toBe(1);
    // Nothing flashed by this app yet: the card says so rather than guess what is on a drive.
    await expect
      .poll(() => card('Base image (reflash)').textContent())
      .toContain('No drive flashed by this app yet');
    await shot('20-home.png');
  });

  it('reaches the docs & scripts page by keyboard; a metered network asks before the check downloads', async () => {
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await nav.getByRole('button', { name: 'Home' }).focus();
    await page.keyboard.press('End'); // Kernel, the last page (then System, Models, Frameworks)
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await expect.poll(h1).toBe('Docs & scripts');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await expect.poll(content).toContain('first docs');
    await shot('21-repo-status.png');

    // Metered: Enter on the heading presses Check, which asks first; Esc says no and nothing starts.
    await api.app.saveSettings({ metered: 'yes' });
    await page.keyboard.press('Enter');
    await dialog().waitFor();
    expect(await dialog().textContent()).toContain('metered');
    await shot('22-repo-metered-ask.png');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
    expect(calls('repo.check')).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await api.app.saveSettings({ metered: 'no' });
  });

  it('checks (a real fetch in the utility process), shows what a pull brings, then pulls', async () => {
    await page.keyboard.press('Enter'); // the heading still has focus: Check
    await expect.poll(content, { timeout: 60_000 }).toContain('A pull would bring 2 commits');
    expect(calls('repo.check')).toBe(1);
    const text = await content();
    expect(text).toContain('second docs');
    expect(text).toContain('third docs');
    await shot('23-repo-checked.png');

    // Home says so too.
    await page.keyboard.press('Alt+1');
    await expect.poll(() => card('Docs & scripts').textContent()).toMatch(/2 commits behind \(last checked/);
    await page.keyboard.press('Alt+4');
    await expect.poll(h1).toBe('Docs & scripts');

    await page.getByRole('button', { name: 'Pull 2 commits' }).click();
    await expect.poll(content, { timeout: 60_000 }).toContain('Up to date with origin/main');
    expect(await g(clone, ['rev-parse', 'HEAD'])).toBe(await g(remote.author, ['rev-parse', 'HEAD']));
    await shot('24-repo-pulled.png');
  });

  it('shows a divergence with its local commit and takes the way out the person names', async () => {
    await writeFile(join(clone, 'notes.md'), 'mine\n');
    await g(clone, ['add', 'notes.md']);
    await g(clone, [...author, 'commit', '--quiet', '-m', 'my local note']);
    const mine = await g(clone, ['rev-parse', 'HEAD']);
    await remote.commit('fourth docs', { 'docs/guide.md': 'v4\n' });

    await page.getByRole('button', { name: 'Check for updates' }).click();
    const diverged = page.getByRole('group', { name: 'A fast-forward pull is not possible' });
    await diverged.waitFor({ timeout: 60_000 });
    expect(await diverged.textContent()).toContain('my local note');
    expect(await diverged.textContent()).toContain('Keep them and stay where you are');
    // A fast-forward is impossible: Pull itself is not offered.
    expect(await page.getByRole('button', { name: 'Pull 1 commit' }).isDisabled()).toBe(true);
    await shot('25-repo-diverged.png');

    await diverged.getByRole('textbox', { name: 'New branch for your commits' }).fill('kept-notes');
    await diverged.getByRole('button', { name: 'Move them and pull' }).click();
    await expect.poll(content, { timeout: 60_000 }).toContain('Up to date with origin/main');
    expect(await g(clone, ['rev-parse', 'HEAD'])).toBe(await g(remote.author, ['rev-parse', 'HEAD']));
    expect(await g(clone, ['rev-parse', 'kept-notes'])).toBe(mine);
  });

  it('names the uncommitted files in the way of a pull and stashes them on request', async () => {
    await writeFile(join(clone, 'docs/guide.md'), 'my edit\n'); // the next remote commit changes this file
    await remote.commit('fifth docs', { 'docs/guide.md': 'v5\n' });
    await page.getByRole('button', { name: 'Check for updates' }).click();
    const inWay = page.getByRole('group', { name: 'Uncommitted changes in the way' });
    await inWay.waitFor({ timeout: 60_000 });
    expect(await inWay.textContent()).toContain('docs/guide.md');
    expect(await page.getByRole('button', { name: 'Pull 1 commit' }).isDisabled()).toBe(true);
    await shot('26-repo-dirty-in-way.png');

    await inWay.getByRole('button', { name: 'Stash them and pull' }).click();
    await expect.poll(content, { timeout: 60_000 }).toContain('Up to date with origin/main');
    expect(await g(clone, ['rev-parse', 'HEAD'])).toBe(await g(remote.author, ['rev-parse', 'HEAD']));
    expect(await g(clone, ['stash', 'list'])).toMatch(/^stash@\{0\}/);
  });

  it('pins to a release tag and unpins back to the branch, home saying so', async () => {
    await remote.tag('v1.0');
    const pinned = await g(remote.author, ['rev-parse', 'HEAD']);
    await remote.commit('sixth docs', { 'docs/guide.md': 'v6\n' });
    await page.getByRole('button', { name: 'Check for updates' }).click(); // fetches the tags too
    await expect.poll(content, { timeout: 60_000 }).toContain('sixth docs');

    await page.getByRole('textbox', { name: 'Release tag' }).fill('v1.0');
    await page.getByRole('button', { name: 'Pin', exact: true }).click();
    await expect.poll(content, { timeout: 60_000 }).toContain('Pinned to v1.0');
    expect(await g(clone, ['rev-parse', 'HEAD'])).toBe(pinned);
    await shot('27-repo-pinned.png');
    await page.keyboard.press('Alt+1');
    await expect.poll(() => card('Docs & scripts').textContent()).toContain('Pinned to v1.0');
    await page.keyboard.press('Alt+4');

    await page.getByRole('button', { name: 'Unpin' }).click();
    await expect.poll(content, { timeout: 60_000 }).toContain('Up to date with origin/main');
    expect(await g(clone, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('main');
    expect(await g(clone, ['rev-parse', 'HEAD'])).toBe(await g(remote.author, ['rev-parse', 'HEAD']));
  });

  it('rolls back from the reflog; with uncommitted changes only after DISCARD is typed', async () => {
    const target = (await api.repo.reflog()).find((e) => e.selector === 'HEAD@{1}')!;
    await writeFile(join(clone, 'docs/guide.md'), 'an edit I may lose\n');
    await page
      .getByRole('button', { name: new RegExp(`^Roll back here, to ${target.short}`) })
      .first()
      .click();
    await dialog().waitFor();
    const confirm = dialog().getByRole('button', { name: 'Discard and roll back' });
    await dialog().getByRole('textbox').fill('discard');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog().getByRole('textbox').fill('DISCARD');
    expect(await axeViolations(page), 'accessibility of the typed confirmation').toEqual([]);
    await confirm.click();
    await expect.poll(() => dialog().count()).toBe(0);
    await expect.poll(() => g(clone, ['rev-parse', 'HEAD']), { timeout: 60_000 }).toBe(target.hash);
    expect(await g(clone, ['status', '--porcelain'])).toBe('');
  });

  it('settings: the toolkit fields save when left, and the schedule is shown', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await dialog().waitFor();
    expect(await dialog().getByRole('textbox', { name: 'Toolkit remote' }).inputValue()).toBe(remote.bare);
    await expect.poll(() => dialog().textContent(), { timeout: 30_000 }).toMatch(/kintsugi-repo-pull/);
    const bin = dialog().getByRole('textbox', { name: 'Bin folder for scripts' });
    await bin.fill(join(work, 'other-bin'));
    await page.keyboard.press('Tab'); // leaving the field saves it
    await expect.poll(async () => (await api.app.getSettings()).binDir).toBe(join(work, 'other-bin'));
    await page.screenshot({ path: join(SHOTS, '28-settings-toolkit.png'), fullPage: true });
    expect(await axeViolations(page), 'accessibility of the settings').toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
    await expect.poll(content).toContain(join(work, 'other-bin')); // the scripts section reads the new folder
  });

  it('links the scripts (the real helper) and shows per script whether PATH finds the clone or a shadow', async () => {
    const bin = join(work, 'other-bin'); // the setting the previous test saved
    const shadow = join(work, 'shadow-bin');
    await mkdir(bin, { recursive: true });
    await mkdir(shadow, { recursive: true });
    await writeFile(join(shadow, 'kintsugi-hello'), '#!/bin/sh\necho an old copy\n', { mode: 0o755 });
    // main reads PATH when it answers a status: the harness's main is this process.
    const path = process.env['PATH'];
    process.env['PATH'] = `${shadow}:${bin}:${path ?? ''}`;
    try {
      const row = () => page.getByRole('row').filter({ hasText: 'kintsugi-hello' });
      const reopen = async () => {
        await page.keyboard.press('Alt+1');
        await page.keyboard.press('Alt+4');
        await expect.poll(h1).toBe('Docs & scripts');
      };
      await reopen();
      await expect
        .poll(() => row().textContent())
        .toContain(`${join(shadow, 'kintsugi-hello')} comes first on PATH`);
      expect(await row().textContent()).toContain('not there');

      await page.getByRole('button', { name: 'Link scripts (symlinks)' }).click();
      await expect.poll(() => row().textContent(), { timeout: 60_000 }).toContain('linked');
      expect(await row().textContent()).toContain('comes first on PATH'); // still shadowed: said, not hidden
      await shot('29-repo-scripts-shadowed.png');

      await rm(join(shadow, 'kintsugi-hello'));
      await reopen();
      await expect.poll(() => row().textContent()).toContain('runs the clone’s script');
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('opens the same page after a reload (main saved the route)', async () => {
    expect((await api.app.getUiState()).route).toBe('repo');
    await page.reload();
    await expect.poll(h1).toBe('Docs & scripts');
  });

  it('frameworks: the shipped catalog, a consent dialog that says no, then a real npm install with yes', async () => {
    await page.keyboard.press('Alt+5');
    await expect.poll(h1).toBe('Frameworks');
    const list = page.getByRole('list', { name: 'Frameworks' });
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: 30_000 }).toBe(6);
    expect(await content()).toContain('shipped with the app');
    await shot('30-frameworks.png');

    // An evaluating entry: the dialog asks; Esc cancels, nothing starts, focus returns to the button.
    await page.getByRole('button', { name: 'Install gemini-cli' }).click();
    await dialog().waitFor();
    expect(await dialog().textContent()).toContain('still being evaluated');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
    expect(calls('frameworks.install')).toBe(0);
    expect(await focused()).toBe('Install gemini-cli');

    // The user's own entry: yes by keyboard (Tab from Cancel to the confirm button, Enter), then — the network
    // being metered — the download question, then the real npm. Main's job checks the network again: the page
    // must pass the person's yes along, or main refuses with NETWORK_METERED.
    await api.app.saveSettings({ metered: 'yes' });
    await page.getByRole('button', { name: 'Install json-cli' }).click();
    await dialog().waitFor();
    expect(await dialog().textContent()).toContain('your own manifest');
    await shot('31-frameworks-consent.png');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Yes, install json-cli');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog().textContent()).toContain('metered network');
    await dialog().getByRole('button', { name: 'Download anyway' }).click();
    await api.app.saveSettings({ metered: 'no' });
    const jsonCard = list.getByRole('listitem').filter({ hasText: 'json-cli' });
    await expect
      .poll(() => jsonCard.textContent(), { timeout: 180_000 })
      .toContain('✓ Installed: json 11.0.0');
    expect(await jsonCard.textContent()).toContain('Next, sign in: Nothing to sign in to');
    // The recipe's own output, from the job's log file.
    await jsonCard.getByText('Log', { exact: true }).click();
    await expect.poll(() => jsonCard.locator('pre.log').textContent()).toContain(`$ npm install --global`);
    // Into the temp prefix the setting names, never npm's own.
    expect((await stat(join(prefix, 'bin', 'json'))).isFile()).toBe(true);
    await shot('32-frameworks-installed.png');

    await jsonCard.getByRole('button', { name: 'Uninstall json-cli' }).click();
    await expect.poll(() => jsonCard.textContent(), { timeout: 120_000 }).toContain('Not installed');
    expect(await stat(join(prefix, 'bin', 'json')).catch(() => null)).toBeNull();
  }, 240_000);
});
