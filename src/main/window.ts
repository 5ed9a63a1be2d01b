import { BrowserWindow } from 'electron';
import { hardenContents, type RendererOrigin } from './security';

export interface WindowPaths extends RendererOrigin {
  /** The sandboxed CommonJS preload: out/preload/index.cjs. */
  preloadPath: string;
  iconPath?: string;
}

/** The main window with the security baseline: isolated, sandboxed, no Node, web security on. */
export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1040,
    height: 760,
    minWidth: 720,
    minHeight: 560,
    show: false,
    title: 'Kintsugi Updater',
    icon: paths.iconPath,
    backgroundColor: '#1b1d21',
    webPreferences: {
      preload: paths.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  hardenContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  if (paths.devServerUrl) void win.loadURL(paths.devServerUrl);
  else void win.loadFile(paths.rendererFile);
  return win;
}
