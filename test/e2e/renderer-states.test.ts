import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from './harness/browser';

// The renderer against a SCRIPTED main, for the states the real flow (wizard.test.ts) reaches only by a race or a
// crash: job events that arrive before the intent's answer, a restart while a job runs, a restore that brought back
// fewer files than the backup holds. The script below stands in for main in the page (window.kintsugi with the
// contract's shape); it keeps its "disk" in localStorage, so a reload is an app restart. It mimics main's gates
// only as far as these checks need: the real gates are tested on main's side and in wizard.test.ts.

// This file compiles under the Node tsconfig (no DOM types): the page globals it touches, named.
declare const localStorage: {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  clear(): void;
};
declare const document: {
  activeElement: { tagName: string; getAttribute(name: string): string | null } | null;
};

const RENDERER = resolve('out/renderer');
const ORIGIN = 'http://kintsugi.test';
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

beforeAll(async () => {
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = normalize(join(RENDERER, rel));
    if (!file.startsWith(RENDERER + sep)) return route.fulfill({ status: 403 });
    try {
      const body = await readFile(file);
      await route.fulfill({ body, contentType: TYPES[extname(file)] ?? 'application/octet-stream' });
    } catch {
      await route.fulfill({ status: 404 });
    }
  });
  await page.addInitScript(installScriptedMain);
});

afterAll(async () => {
  await chromium?.close();
});

beforeEach(async () => {
  await page.goto(`${ORIGIN}/`);
  await page.evaluate(() => localStorage.clear());
});

const DEVICE = '/dev/loop7';
const BACKUP = '/backups/2025-01-01T10-00-00';

type Db = Record<string, unknown>;
/** Puts main's "disk" in a given state and restarts the app on it. */
async function restartWith(db: Db): Promise<void> {
  await page.evaluate((d) => localStorage.setItem('scripted-main', JSON.stringify(d)), db);
  await page.reload();
}
const restart = () => page.reload();
const h1 = () => page.locator('h1').textContent();
const dialog = () => page.getByRole('dialog');
const calls = (): Promise<string[]> =>
  page.evaluate(
    () => (JSON.parse(localStorage.getItem('scripted-main') ?? '{}') as { calls?: string[] }).calls ?? [],
  );
const manifest = {
  formatVersion: 1,
  id: 'b1',
  source: DEVICE,
  createdAt: '2025-01-01T10:00:00Z',
  finishedAt: '2025-01-01T10:01:00Z',
  files: 120,
  bytes: 5_000_000,
  verified: true,
  tools: {},
};
const image = {
  path: '/img/kintsugi-v2.1.img.zst',
  source: '/img/kintsugi-v2.1.img.zst',
  compression: 'zstd',
  fileSize: 1e6,
  imageSize: 64 * 1024 * 1024,
  version: '2.1',
  checksum: { target: 'compressed', fileName: 'kintsugi-v2.1.img.zst', expected: 'a'.repeat(64), ok: true },
};
const atFlash = {
  step: 'flash',
  imageSource: image.source,
  image,
  device: DEVICE,
  backupDir: '/backups',
  backup: { path: BACKUP, device: DEVICE, manifest },
  durations: {},
  updatedAt: '2025-01-01T10:02:00.000Z',
};
const flashResult = {
  device: DEVICE,
  bytesWritten: 64 * 1024 * 1024,
  sha256: 'b'.repeat(64),
  verified: true,
  usedBmap: false,
  durationMs: 1000,
};

describe('renderer states (scripted main)', () => {
  it('keeps a job whose events all arrive before the intent answer, and moves on', async () => {
    await restartWith({ route: 'reflash', eventsFirst: true });
    await expect.poll(h1).toBe('Choose the new image');
    await page.getByRole('textbox', { name: 'Image file' }).fill(image.source);
    await page.getByRole('button', { name: 'Check image' }).click();
    await expect.poll(h1).toBe('Choose the drive to reflash');
    expect(await page.locator('.content').textContent()).toContain('Image checked: Kintsugi 2.1');
    // The job is listed as done, not left running.
    await page.keyboard.press('Alt+3');
    await expect.poll(h1).toBe('Jobs');
    await expect.poll(() => page.locator('[data-state]').first().getAttribute('data-state')).toBe('done');
  });

  it('shows a flash interrupted by a restart with what it left; Retry asks for the typed name again', async () => {
    await restartWith({ route: 'reflash', reflash: atFlash, hold: ['flash'] });
    await expect.poll(h1).toBe('Flash the drive');
    await page.getByRole('button', { name: 'Flash the drive' }).click();
    await dialog().getByRole('textbox').fill('loop7');
    await page.getByRole('button', { name: `Erase and flash ${DEVICE}` }).click();
    await page.getByRole('progressbar', { name: 'Flash progress' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Pages' }).textContent()).toContain('1 running');

    await restart();
    await expect.poll(h1).toBe('Flash the drive');
    const status = page.getByRole('status').filter({ hasText: 'Flash was interrupted' });
    await status.waitFor();
    expect(await status.textContent()).toContain('Writing, 16.0 MiB of 64.0 MiB');
    expect(await status.textContent()).toContain(`${DEVICE} may be partly written`);
    expect(await page.getByRole('button', { name: 'Back', exact: true }).isDisabled()).toBe(true);

    // Home and the jobs page say so too.
    await page.keyboard.press('Alt+1');
    await expect.poll(h1).toBe('What to update');
    expect(await page.locator('.domain').first().textContent()).toContain('was interrupted');
    await page.keyboard.press('Alt+3');
    const item = page.locator('[data-state=interrupted]');
    await item.waitFor();
    expect(await item.textContent()).toContain('it had reached: Writing');
    await page.keyboard.press('Alt+2');

    await page.getByRole('button', { name: 'Retry' }).click();
    await dialog().waitFor();
    expect(await dialog().getByRole('textbox').inputValue()).toBe('');
    await dialog().getByRole('textbox').fill(DEVICE);
    await page.getByRole('button', { name: `Erase and flash ${DEVICE}` }).click();
    await expect.poll(h1).toBe('Restore your data');
    expect((await calls()).filter((c) => c === 'reflash.startFlash')).toHaveLength(2);
  });

  it('cancels a running flash; Retry asks for the typed name; a refused name keeps the dialog open', async () => {
    await restartWith({ route: 'reflash', reflash: atFlash, hold: ['flash'], refuseTyped: ['loop7'] });
    await page.getByRole('button', { name: 'Flash the drive' }).click();
    await dialog().getByRole('textbox').fill('loop7');
    await page.getByRole('button', { name: `Erase and flash ${DEVICE}` }).click();
    // Main refused what was typed: the dialog stays, with main's reason.
    await dialog().getByRole('alert').waitFor();
    expect(await dialog().getByRole('alert').getAttribute('data-code')).toBe('CONFIRMATION_REQUIRED');
    await dialog().getByRole('textbox').fill(DEVICE);
    await page.getByRole('button', { name: `Erase and flash ${DEVICE}` }).click();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('CANCELLED');
    expect(await alert.textContent()).not.toContain('causes');
    await page.getByRole('button', { name: 'Retry' }).click();
    expect(await dialog().getByRole('textbox').inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
  });

  it('asks for the typed name to start over before the restore, and offers the restore instead', async () => {
    const written = { ...atFlash, step: 'restore', writtenDevice: DEVICE, flash: flashResult };
    await restartWith({ route: 'reflash', reflash: written });
    await expect.poll(h1).toBe('Restore your data');
    await page.getByRole('button', { name: 'Start over', exact: true }).click();
    expect(await dialog().textContent()).toContain(BACKUP);
    const anyway = dialog().getByRole('button', { name: 'Start over anyway' });
    expect(await anyway.isDisabled()).toBe(true);
    await dialog().getByRole('textbox').fill('loop7');
    expect(await anyway.isDisabled()).toBe(false);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Start over', exact: true }).click();
    await dialog().getByRole('textbox').fill('loop7');
    await dialog().getByRole('textbox').press('Enter');
    await expect.poll(h1).toBe('Choose the new image');
    expect(await calls()).toContain('reflash.startOver:loop7');
  });

  it('says the data is back only when every file was restored and verified', async () => {
    const base = { ...atFlash, step: 'done', writtenDevice: DEVICE, flash: flashResult };
    await restartWith({
      route: 'reflash',
      reflash: {
        ...base,
        restore: { backupDir: BACKUP, target: DEVICE, files: 119, bytes: 4e6, verified: true, durationMs: 5 },
      },
    });
    await expect.poll(h1).toBe('Your drive is up to date');
    const content = page.locator('.content');
    expect(await content.textContent()).not.toContain('back in place.');
    expect(await content.textContent()).toContain('Only 119 of 120 files were restored');
    expect(await content.textContent()).toContain(BACKUP);

    await restartWith({
      route: 'reflash',
      reflash: {
        ...base,
        restore: { backupDir: BACKUP, target: DEVICE, files: 120, bytes: 5e6, verified: true, durationMs: 5 },
      },
    });
    await expect.poll(h1).toBe('Your drive is up to date');
    expect(await page.locator('.lead').textContent()).toContain('your data is back in place.');
  });

  it('restores an existing backup as its own flow', async () => {
    await restartWith({ route: 'home' });
    await page.getByRole('button', { name: 'Restore an existing backup' }).click();
    await expect.poll(h1).toBe('Choose the new image');
    await page.getByRole('textbox', { name: 'Folder of backups' }).fill('/backups');
    await page.getByRole('radio', { name: /2025/ }).first().waitFor();
    await page.getByRole('button', { name: 'Restore this backup…' }).click();
    await expect.poll(h1).toBe('Choose the drive to restore into');
    expect(await page.locator('.content').textContent()).toContain(`Backup chosen: ${BACKUP}`);
    await page.locator(`input[value="${DEVICE}"]`).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(h1).toBe('Restore your data');
    expect(await calls()).toEqual(
      expect.arrayContaining([`reflash.useExistingBackup:${BACKUP}`, `reflash.chooseDrive:${DEVICE}`]),
    );
  });

  it('keeps the page across a restart and moves focus to the heading; Enter on it is the primary action', async () => {
    await restartWith({ route: 'jobs' });
    await expect.poll(h1).toBe('Jobs');
    await page.keyboard.press('Alt+2');
    await expect.poll(h1).toBe('Choose the new image');
    await restart();
    await expect.poll(h1).toBe('Choose the new image');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.keyboard.press('Alt+1');
    await expect.poll(h1).toBe('What to update');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.keyboard.press('Enter');
    await expect.poll(h1).toBe('Choose the new image');
    // Page nav: only the current page is in the Tab order; arrows move, Enter opens.
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await nav.getByRole('button', { name: 'Base image' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await expect.poll(h1).toBe('Jobs');
    await page.keyboard.press('End');
    await nav.getByRole('button', { name: /^Jobs/ }).press('Home');
    await page.keyboard.press('Enter');
    await expect.poll(h1).toBe('What to update');
  });
});

/**
 * The scripted main, injected into the page in place of the preload (it must not capture anything from this
 * module). State lives in localStorage: `reflash` (the flow state), `route`, `jobs` (records), `calls` (intents
 * seen), and the test's switches: `eventsFirst` (a job's events are sent before the intent answers), `hold`
 * (job types whose next job stays running until cancelled), `refuseTyped` (typed names main refuses once).
 */
function installScriptedMain(): void {
  const KEY = 'scripted-main';
  const DEVICE_IN_PAGE = '/dev/loop7';
  type Rec = {
    id: string;
    type: string;
    title: string;
    host: string;
    params: Record<string, unknown>;
    state: string;
    startedAt: string;
    endedAt?: string;
    last?: unknown;
    result?: unknown;
    error?: unknown;
    flow?: string;
  };
  type State = Record<string, unknown> & { step: string; durations: Record<string, number> };
  interface Db {
    reflash?: State;
    route?: string;
    jobs?: Rec[];
    calls?: string[];
    seq?: number;
    eventsFirst?: boolean;
    hold?: string[];
    refuseTyped?: string[];
    settings?: Record<string, unknown>;
  }
  const TITLES: Record<string, string> = {
    'image-check': 'Check an image',
    backup: 'Back up a persistence store',
    flash: 'Flash a drive',
    restore: 'Restore a backup',
  };
  const KIND: Record<string, string> = {
    'image-check': 'image',
    backup: 'backup',
    flash: 'flash',
    restore: 'backup',
  };
  const PHASE: Record<string, string> = {
    'image-check': 'checksum',
    backup: 'copy',
    flash: 'write',
    restore: 'copy',
  };
  const db: Db = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Db;
  db.reflash ??= { step: 'image', durations: {} };
  db.jobs ??= [];
  db.calls ??= [];
  // A restart: whatever was running when the app stopped was interrupted.
  for (const j of db.jobs) if (j.state === 'running') j.state = 'interrupted';
  const save = () => localStorage.setItem(KEY, JSON.stringify(db));
  save();
  const listeners = new Set<(e: unknown) => void>();
  const emit = (e: unknown) => listeners.forEach((l) => l(e));
  const now = () => new Date().toISOString();
  const state = () => db.reflash!;
  const setState = (patch: Record<string, unknown>) => {
    const next = { ...state(), ...patch, updatedAt: now() } as State;
    for (const k of Object.keys(patch)) if (patch[k] === undefined) delete next[k];
    db.reflash = next;
    save();
    return structuredClone(next);
  };
  const fail = (code: string, message: string, hint?: string) => {
    throw { code, message, hint, detail: 'scripted', causes: ['never shown'] };
  };
  const names = (typed: string, device: string) => typed === device || `/dev/${typed}` === device;
  const checkTyped = (typed: string) => {
    const dev = (state().writtenDevice ?? state().device) as string;
    if (db.refuseTyped?.includes(typed)) {
      db.refuseTyped = db.refuseTyped.filter((t) => t !== typed);
      save();
      fail(
        'CONFIRMATION_REQUIRED',
        'This action destroys data and needs confirmation.',
        'Type the device name when asked.',
      );
    }
    if (!names(typed, dev))
      fail('CONFIRMATION_REQUIRED', 'This action destroys data and needs confirmation.');
  };
  const record = (id: string) => db.jobs!.find((j) => j.id === id);

  function finish(id: string, outcome: 'done' | 'failed', error?: unknown) {
    const j = record(id);
    if (!j || j.state !== 'running') return;
    j.state = outcome;
    j.endedAt = now();
    const s = state();
    let result: unknown;
    if (outcome === 'done') {
      if (j.type === 'image-check') {
        result = {
          path: s.imageSource,
          source: s.imageSource,
          compression: 'zstd',
          fileSize: 1e6,
          imageSize: 64 * 1024 * 1024,
          version: '2.1',
          checksum: { target: 'compressed', fileName: 'x', expected: 'a'.repeat(64), ok: true },
        };
        setState({ image: result, step: 'drive', activeJob: undefined });
      } else if (j.type === 'flash') {
        result = {
          device: s.device,
          bytesWritten: 64 * 1024 * 1024,
          sha256: 'b'.repeat(64),
          verified: true,
          usedBmap: false,
          durationMs: 10,
        };
        setState({ flash: result, step: s.backup ? 'restore' : 'done', activeJob: undefined });
      } else if (j.type === 'restore') {
        const m = (s.backup as { manifest: { files: number; bytes: number } }).manifest;
        result = {
          backupDir: '',
          target: s.device,
          files: m.files,
          bytes: m.bytes,
          verified: true,
          durationMs: 10,
        };
        setState({ restore: result, step: 'done', activeJob: undefined });
      } else if (j.type === 'backup') {
        result = { path: '/backups/new', manifest: { files: 3, bytes: 10, verified: true } };
        setState({
          backup: {
            path: '/backups/new',
            device: s.device,
            manifest: { files: 3, bytes: 10, verified: true },
          },
          step: 'flash',
          activeJob: undefined,
        });
      }
      j.result = result;
    } else {
      j.error = error;
      setState({ activeJob: undefined });
    }
    save();
    emit(
      outcome === 'done'
        ? { jobId: id, jobType: j.type, type: 'done', result }
        : { jobId: id, jobType: j.type, type: 'failed', error },
    );
  }

  async function start(type: string, params: Record<string, unknown>) {
    const id = `job-${(db.seq = (db.seq ?? 0) + 1)}`;
    const last = {
      kind: KIND[type],
      phase: PHASE[type],
      bytes: 16 * 1024 * 1024,
      total: 64 * 1024 * 1024,
      speed: 1e6,
    };
    db.jobs!.unshift({
      id,
      type,
      title: TITLES[type]!,
      host: 'helper',
      params,
      state: 'running',
      startedAt: now(),
      last,
      flow: 'reflash',
    });
    const st = setState({ activeJob: { jobId: id, type, startedAt: now() } });
    // A held type holds its next job only.
    const held = db.hold?.includes(type) ?? false;
    if (held) db.hold = db.hold!.filter((t) => t !== type);
    save();
    const run = () => {
      emit({ jobId: id, jobType: type, type: 'progress', progress: last });
      if (!held) finish(id, 'done');
    };
    if (db.eventsFirst) run();
    else setTimeout(run, 50);
    return { jobId: id, state: st };
  }

  const api = {
    app: {
      getSettings: async () => ({
        includeLoop: true,
        dataRoot: '/data',
        backupDir: '/backups',
        ...db.settings,
      }),
      saveSettings: async (p: Record<string, unknown>) => (
        (db.settings = { ...db.settings, ...p }),
        save(),
        { includeLoop: true, dataRoot: '/data', ...db.settings }
      ),
      getUiState: async () => ({ route: db.route ?? 'home' }),
      saveUiState: async ({ route }: { route: string }) => ((db.route = route), save(), { route }),
      getFreeSpace: async ({ path }: { path: string }) => ({ path, free: 1e10, total: 2e10 }),
      pickPath: async () => null,
    },
    drives: {
      list: async () => [
        {
          device: DEVICE_IN_PAGE,
          description: 'Loop test drive',
          size: 64 * 1024 * 1024,
          isLoop: true,
          isSystem: false,
          isRemovable: false,
          isReadOnly: false,
          partitions: [],
          mountpoints: [],
          issues: [],
          selectable: true,
        },
        {
          device: '/dev/vda',
          description: 'System disk',
          size: 1e11,
          isLoop: false,
          isSystem: true,
          isRemovable: false,
          isReadOnly: false,
          partitions: [],
          mountpoints: ['/'],
          issues: [{ code: 'system', severity: 'block', message: 'This is a system drive.' }],
          selectable: false,
        },
      ],
    },
    backup: {
      list: async ({ dir }: { dir: string }) =>
        dir === '/backups'
          ? [
              {
                path: '/backups/2025-01-01T10-00-00',
                manifest: {
                  formatVersion: 1,
                  id: '2025-01-01T10-00-00',
                  source: DEVICE_IN_PAGE,
                  createdAt: '2025-01-01T10:00:00Z',
                  finishedAt: '2025-01-01T10:01:00Z',
                  files: 120,
                  bytes: 5e6,
                  verified: true,
                  tools: {},
                },
              },
              {
                path: '/backups/2024-12-01T10-00-00',
                manifest: {
                  formatVersion: 1,
                  id: '2024-12-01T10-00-00',
                  source: DEVICE_IN_PAGE,
                  createdAt: '2024-12-01T10:00:00Z',
                  finishedAt: '2024-12-01T10:01:00Z',
                  files: 100,
                  bytes: 4e6,
                  verified: false,
                  tools: {},
                },
              },
            ]
          : [],
    },
    reflash: {
      getState: async () => structuredClone(state()),
      chooseImage: async (a: { source: string }) => (
        setState({ imageSource: a.source, image: undefined }),
        start('image-check', a)
      ),
      chooseDrive: async ({ device }: { device: string }) =>
        setState({ device, step: state().restoreOnly ? 'restore' : 'backup' }),
      startBackup: async ({ backupDir }: { backupDir: string }) => (
        setState({ backupDir }),
        start('backup', { source: state().device, destRoot: backupDir })
      ),
      skipBackup: async ({ typed }: { typed: string }) => (
        checkTyped(typed),
        setState({ backupSkippedFor: state().device, step: 'flash' })
      ),
      startFlash: async ({ typed }: { typed: string }) => {
        checkTyped(typed);
        setState({ writtenDevice: state().device });
        return start('flash', { image: '/img', device: state().device });
      },
      startRestore: async () =>
        start('restore', { backupDir: (state().backup as { path: string }).path, target: state().device }),
      useExistingBackup: async ({ path }: { path: string }) =>
        setState({
          restoreOnly: true,
          step: 'drive',
          backup: { path, device: DEVICE_IN_PAGE, manifest: { files: 120, bytes: 5e6, verified: true } },
        }),
      goTo: async ({ step }: { step: string }) => {
        if (step === 'backup' && state().writtenDevice) fail('FLOW_GATE', 'That step is not allowed yet.');
        return setState({ step });
      },
      startOver: async ({ typed }: { typed?: string }) => {
        const s = state();
        const needs =
          s.backup && s.writtenDevice && !(s.restore as { verified?: boolean } | undefined)?.verified;
        if (needs) checkTyped(typed ?? '');
        db.reflash = { step: 'image', durations: {}, updatedAt: now() };
        save();
        return structuredClone(db.reflash);
      },
    },
    jobs: {
      list: async () => structuredClone(db.jobs),
      get: async ({ jobId }: { jobId: string }) => structuredClone(record(jobId) ?? null),
      cancel: async ({ jobId }: { jobId: string }) => {
        setTimeout(
          () =>
            finish(jobId, 'failed', {
              code: 'CANCELLED',
              message: 'Cancelled.',
              hint: 'Start it again when ready.',
            }),
          20,
        );
        return { cancelled: true };
      },
      log: async ({ jobId }: { jobId: string }) => ({ text: `log of ${jobId}\n`, truncated: false }),
    },
  };
  // Every intent is noted (with its argument when it names something), for the test to read back.
  const bridge: Record<string, unknown> = {};
  for (const [domain, methods] of Object.entries(api)) {
    const wrapped: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(methods as Record<string, (a: unknown) => Promise<unknown>>)) {
      wrapped[name] = async (arg: unknown) => {
        if (domain === 'reflash') {
          const a = arg as Record<string, unknown> | undefined;
          const named = a?.typed ?? a?.path ?? a?.device;
          db.calls!.push(`${domain}.${name}${typeof named === 'string' ? `:${named}` : ''}`);
          db.calls!.push(`${domain}.${name}`);
          save();
        }
        return fn(arg);
      };
    }
    bridge[domain] = wrapped;
  }
  bridge.onJobEvent = (l: (e: unknown) => void) => (listeners.add(l), () => listeners.delete(l));
  Object.defineProperty(globalThis, 'kintsugi', { value: bridge });
  Object.defineProperty(globalThis, 'scripted', { value: { finish } });
}
