import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { createHandlers } from './api/handlers';
import { createCoreDeps } from './api/core-deps';
import { WizardStore } from './core/wizard/store';
import { HelperClient } from './helper/client';
import { pickPathWithDialog } from './dialogs';
import { forwardJobEvents, registerIpc } from './ipc';
import { builtPaths, iconPath } from './paths';
import { hardenContents, hardenSession, type RendererOrigin } from './security';
import { SettingsStore } from './settings/store';
import { createTray, type TrayHandle } from './tray';
import { createMainWindow } from './window';

// The Electron shell: lifecycle, one instance, one hardened window, IPC, tray. Everything else lives in core
// and is reached through the one handler object (api/handlers.ts).

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

  const userData = app.getPath('userData');
  const settings = new SettingsStore(userData);
  const wizardStore = new WizardStore(userData);
  const core = createCoreDeps({
    settings,
    // One helper process (one password prompt) for the whole wizard run; pkexec unless the app runs as root.
    privileged: () =>
      HelperClient.start({
        launcherPath: app.isPackaged ? join(process.resourcesPath, 'helper', 'kintsugi-helper') : undefined,
      }),
  });
  app.on('before-quit', () => {
    void core.jobRunner.cancelAll();
    void core.startedPrivileged().then((helper) => (helper as HelperClient | undefined)?.close?.());
  });

  const wizard = {
    load: () => wizardStore.load(),
    async save(state: Parameters<WizardStore['save']>[0]) {
      const saved = await wizardStore.save(state);
      // A reflash under way counts as one pending update on the tray badge.
      trayHandle?.setBadge(saved.step !== 'image' && saved.step !== 'done' ? 1 : 0);
      return saved;
    },
    reset: () => wizardStore.reset(),
  };

  const api = createHandlers({
    ...core,
    settings,
    wizard,
    pickPath: (purpose) => pickPathWithDialog(mainWindow, purpose),
  });
  registerIpc(api, origin);
  forwardJobEvents(
    (listener) => core.jobRunner.onEvent(listener),
    () => mainWindow?.webContents,
  );

  trayHandle = createTray(iconPath(app.isPackaged, process.resourcesPath, app.getAppPath()), {
    open: showWindow,
    quit: () => app.quit(),
    setAppBadge: (count) => app.setBadgeCount(count),
  });
  showWindow();
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
