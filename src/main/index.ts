import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { createHandlers } from './api/handlers';
import { handlerDeps } from './api/deps';
import { createServices } from './core/services';
import { HelperClient } from './helper/client';
import { startUtility } from './utility/client';
import { electronUtilityTransport } from './utility-process';
import { pickPathWithDialog } from './dialogs';
import { forwardJobEvents, registerIpc } from './ipc';
import { builtPaths, iconPath } from './paths';
import { hardenContents, hardenSession, type RendererOrigin } from './security';
import { createTray, type TrayHandle } from './tray';
import { feedTray } from './tray-feed';
import { createMainWindow } from './window';
import { HIDDEN_FLAG, syncAutostart } from './core/app/autostart';
import { backgroundOsCheck } from './core/os/background-check';
import { startOsCheckTimer } from './core/os/check-timer';
import { networkState } from './core/network/metered';
import type { SettingsPatch } from '../shared/app/settings';

// The Electron shell: lifecycle, one instance, one hardened window, IPC, tray. Everything else lives in core and
// is reached through the one handler object (api/handlers.ts). Jobs belong to main's job service, not to the
// window: closing the window leaves them running, the tray follows them.

let mainWindow: BrowserWindow | undefined;
let trayHandle: TrayHandle | undefined;

const origin: RendererOrigin = {
  rendererFile: builtPaths.renderer,
  // electron-vite sets this only for `electron-vite dev`; a packaged app always loads the file.
  devServerUrl: !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined,
};

function showWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow({
      ...origin,
      preloadPath: builtPaths.preload,
      iconPath: iconPath(app.isPackaged, process.resourcesPath, app.getAppPath()),
    });
    mainWindow.on('closed', () => (mainWindow = undefined));
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession, origin);
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));

  const services = createServices({
    stateDir: app.getPath('userData'),
    hosts: {
      // Hashing and downloads off the UI thread, in Electron's utility process.
      utility: async () => {
        const { cacheDir } = await services.settings.load();
        const opts = cacheDir ? { cacheDir } : {};
        return startUtility(opts, electronUtilityTransport(builtPaths.utility, opts));
      },
      // One helper process (one password prompt) for a whole reflash; pkexec unless the app runs as root.
      helper: () =>
        HelperClient.start({
          launcherPath: app.isPackaged ? join(process.resourcesPath, 'helper', 'kintsugi-helper') : undefined,
        }),
    },
  });
  app.on('before-quit', () => void services.close());

  // The login entry follows the setting: at start, and after every save (a saved setting is then true on disk).
  const launch = app.isPackaged ? [process.execPath] : [process.execPath, app.getAppPath()];
  const followAutostart = (enabled: boolean | undefined) =>
    syncAutostart(enabled === true, launch).catch((err: unknown) =>
      console.error(`autostart entry: ${(err as Error).message}`),
    );
  void services.settings.load().then((s) => followAutostart(s.autostart));
  const deps = handlerDeps(services, (purpose) => pickPathWithDialog(mainWindow, purpose));
  const settingsPort = deps.settings;
  deps.settings = {
    load: () => settingsPort.load(),
    save: async (patch: SettingsPatch) => {
      const saved = await settingsPort.save(patch);
      if (patch.autostart !== undefined) await followAutostart(saved.autostart);
      return saved;
    },
  };
  const api = createHandlers(deps);
  registerIpc(api, origin);
  forwardJobEvents(
    (listener) => services.runner.onEvent(listener),
    () => mainWindow?.webContents,
  );

  trayHandle = createTray(iconPath(app.isPackaged, process.resourcesPath, app.getAppPath()), {
    open: showWindow,
    quit: () => app.quit(),
    setAppBadge: (count) => app.setBadgeCount(count),
  });
  // The badge: OS updates, the layers' counts and running jobs (tray-state.ts); notices once per new set.
  const feed = feedTray({
    sink: { show: (st) => trayHandle?.show(st), notify: (n) => trayHandle?.notify(n) },
    runner: services.runner,
    store: services.os.store,
    api,
  });
  void feed.refresh();

  // Background OS checks: at start, then every osCheckIntervalHours (core/os/check-schedule.ts).
  const check = backgroundOsCheck({
    runner: services.runner,
    executor: services.executor,
    settings: () => services.settings.load(),
    store: services.os.store,
    target: services.os.target,
    backends: await services.os.backends(),
    privileged: process.getuid?.() === 0,
  });
  const timer = startOsCheckTimer({
    now: () => new Date(),
    store: services.os.store,
    settings: () => services.settings.load(),
    metered: async (setting) => (await networkState(setting ?? 'auto')).metered,
    runCheck: () => check().finally(() => void feed.refresh()),
  });
  app.on('before-quit', () => {
    timer.stop();
    feed.stop();
  });
  void timer.tick();

  // Started at login (the autostart entry): the tray only, the window when the person opens it.
  if (!process.argv.includes(HIDDEN_FLAG)) showWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  // Keep running in the tray when the window closes; Quit in the tray menu ends the app.
  app.on('window-all-closed', () => {});
  app.setPath('crashDumps', join(app.getPath('userData'), 'crashes'));
  void app.whenReady().then(start);
}
