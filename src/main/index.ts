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
import { trayStateFrom } from './tray-state';
import { createMainWindow } from './window';

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

  const api = createHandlers(handlerDeps(services, (purpose) => pickPathWithDialog(mainWindow, purpose)));
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
  // The badge shows what is true now: a job running (its progress in the tooltip), nothing otherwise.
  services.runner.onEvent(() => trayHandle?.show(trayStateFrom(services.runner.running())));
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
