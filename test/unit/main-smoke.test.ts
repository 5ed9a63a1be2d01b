import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recorded, StubBrowserWindow, StubTray } from '../stubs/electron';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { channelFor, type ApiResponse } from '../../src/shared/ipc/envelope';
import { API_ENTRIES } from '../../src/shared/registry';

// Loads the BUILT main bundle (out/main/index.js, from `npx electron-vite build`) with 'electron' mapped to the
// stub: vitest processes files outside node_modules, so its alias applies to the bundle's `import "electron"`.
// Proves the shipped shell wires the security baseline, one IPC channel per contract entry and the tray.

const bundle = resolve('out/main/index.js');

// The OS record the app finds at start: two updates (one security), the last background attempt just now. That
// attempt matters: with none, the app would check at once, and as root (these tests) that is a real check of
// this machine's own system. The data root is an empty folder, so the layers' counts come from nothing here.
let seededData = '';
function seedUserData(): void {
  recorded.userData = mkdtempSync(join(tmpdir(), 'kintsugi-stub-userdata-'));
  const now = new Date().toISOString();
  const u = (name: string, to: string, security: boolean) => ({ name, to, security, kind: 'userspace' });
  writeFileSync(
    join(recorded.userData, 'os.json'),
    JSON.stringify({
      state: {
        backend: 'apt',
        release: { prettyName: 'Debian GNU/Linux 12 (bookworm)' },
        currentVersion: '12',
        updates: [u('openssl', '3.0.15', true), u('tzdata', '2026b', false)],
        notOsUpdates: [],
        deployments: [],
        reboot: { required: false, why: [] },
      },
      stateFrom: 'check',
      lastCheck: { at: now, ok: true, by: 'background' },
      lastSuccessAt: now,
      lastAttemptAt: now,
    }),
  );
  writeFileSync(
    join(recorded.userData, 'settings.json'),
    JSON.stringify({
      includeLoop: false,
      dataRoot: (seededData = mkdtempSync(join(tmpdir(), 'kintsugi-stub-data-'))),
    }),
  );
}

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npx electron-vite build\` first`);
  seedUserData();
  await import(/* @vite-ignore */ pathToFileURL(bundle).href);
  // start() runs after app.whenReady(): wait for the window to appear.
  for (let i = 0; i < 100 && recorded.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
});

afterAll(async () => {
  if (recorded.userData) await rm(recorded.userData, { recursive: true, force: true });
  if (seededData) await rm(seededData, { recursive: true, force: true });
});

function rendererUrl(): string {
  return pathToFileURL(resolve('out/renderer/index.html')).href;
}

async function call(
  channel: string,
  senderUrl: string | undefined,
  ...args: unknown[]
): Promise<ApiResponse<unknown>> {
  const handler = recorded.handlers.get(channel);
  if (!handler) throw new Error(`no handler on ${channel}`);
  return (await handler(
    { senderFrame: senderUrl === undefined ? null : { url: senderUrl } },
    ...args,
  )) as ApiResponse<unknown>;
}

describe('built main bundle', () => {
  it('opens one window with the security baseline and the sandboxed CJS preload', () => {
    expect(recorded.windows).toHaveLength(1);
    const win = recorded.windows[0] as StubBrowserWindow;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String(prefs.preload)).toBe(resolve('out/preload/index.cjs'));
    expect(existsSync(String(prefs.preload))).toBe(true);
    expect(win.loaded?.file).toBe(resolve('out/renderer/index.html'));
    // Navigation and new windows are blocked.
    expect(win.webContents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let prevented = false;
    win.webContents.emit(
      'will-navigate',
      { preventDefault: () => (prevented = true) },
      'https://example.com',
    );
    expect(prevented).toBe(true);
    // CSP header, remote-request blocking and permission denial are installed on the session.
    expect(recorded.sessionHooks).toEqual(
      expect.arrayContaining(['onHeadersReceived', 'onBeforeRequest', 'setPermissionRequestHandler']),
    );
  });

  it('ships a preload that needs nothing but electron (a sandboxed preload can require nothing else)', async () => {
    const text = await readFile(resolve('out/preload/index.cjs'), 'utf8');
    const required = [...text.matchAll(/\brequire\((["'])([^"']+)\1\)/g)].map((m) => m[2]);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(text).not.toMatch(/\bimport\s*\(/); // no dynamic import either
  });

  it('registers exactly one IPC channel per contract entry', () => {
    expect([...recorded.handlers.keys()].sort()).toEqual(
      API_ENTRIES.map(([d, m]) => channelFor(d, m)).sort(),
    );
  });

  it('puts an icon in the tray with Open and Quit, the OS updates in its tooltip and count, announced once', async () => {
    expect(recorded.trays).toHaveLength(1);
    const tray = recorded.trays[0] as StubTray;
    await waitFor(() => tray.tooltip.includes('2 updates (1 security)'));
    expect(tray.tooltip).toMatch(/^Kintsugi Updater: 2 updates \(1 security\)/);
    const menu = tray.menu as { template: { label?: string }[] };
    expect(menu.template.map((i) => i.label).filter(Boolean)).toEqual(['Open', 'Quit']);
    // The count is drawn on the icon: the image changed from the plain one it started with.
    expect(recorded.badge).toBeGreaterThanOrEqual(2);
    expect(bitmapOf(tray.images.at(-1))).not.toEqual(bitmapOf(tray.images[0]));
    expect(recorded.notifications).toEqual([expect.objectContaining({ title: '2 OS updates available' })]);
  });

  it('answers our renderer, rejects a foreign sender and a bad payload', async () => {
    const ok = await call(channelFor('reflash', 'getState'), rendererUrl());
    expect(ok).toMatchObject({ ok: true, value: { step: 'image' } });

    for (const foreign of ['https://evil.example/', 'file:///tmp/other.html', undefined]) {
      const res = await call(channelFor('app', 'getSettings'), foreign);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.error.code).toBe('IPC_SENDER_REJECTED');
    }

    const bad = await call(channelFor('reflash', 'chooseDrive'), rendererUrl(), { device: 'etc/passwd' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('INVALID_ARGUMENT');
  });

  it('keeps jobs in main with a record under userData; the tray counts a running job, then not', async () => {
    const tray = recorded.trays[0] as StubTray;
    await waitFor(() => tray.tooltip.includes('2 updates'));
    const before = recorded.badge;
    const imageBefore = bitmapOf(tray.images.at(-1));
    // An image URL whose server never answers: the check job stays running until it is cancelled.
    const server: Server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kintsugi-v9.img.zst`;
    try {
      const started = await call(channelFor('reflash', 'chooseImage'), rendererUrl(), { source: url });
      expect(started.ok).toBe(true);
      const jobId = (started as { ok: true; value: { jobId: string } }).value.jobId;
      await waitFor(() => recorded.badge === before + 1);
      expect(tray.tooltip).toMatch(/2 updates \(1 security\).*Check an image/);
      expect(bitmapOf(tray.images.at(-1))).not.toEqual(imageBefore);
      expect(existsSync(resolve(recorded.userData, 'reflash.json'))).toBe(true);
      await waitFor(() => existsSync(resolve(recorded.userData, 'jobs', `${jobId}.json`)));
      const cancelled = await call(channelFor('jobs', 'cancel'), rendererUrl(), { jobId });
      expect(cancelled).toMatchObject({ ok: true, value: { cancelled: true } });
      await waitFor(() => recorded.badge === before);
      expect(tray.tooltip).not.toMatch(/Check an image/);
      expect(bitmapOf(tray.images.at(-1))).toEqual(imageBefore);
      // One notice per set of updates, not per refresh: the job's end re-read the record and said nothing new.
      expect(recorded.notifications).toHaveLength(1);
      // The flow has written the job's end into its state (and nothing writes under userData after this test).
      await waitForAsync(async () => {
        const st = await call(channelFor('reflash', 'getState'), rendererUrl());
        return st.ok && !(st.value as { activeJob?: unknown }).activeJob;
      });
      const record = await call(channelFor('jobs', 'get'), rendererUrl(), { jobId });
      expect(record).toMatchObject({ ok: true, value: { state: 'failed', error: { code: 'CANCELLED' } } });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

function bitmapOf(image: unknown): Buffer | undefined {
  return (image as { bitmap?: Buffer } | undefined)?.bitmap;
}

async function waitForAsync(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await cond()).toBe(true);
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}
