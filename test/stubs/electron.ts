// A stand-in for the 'electron' module (vitest aliases 'electron' here; the real module would download the
// binary). It records what the shell asks of Electron so tests can assert on it, and lets tests drive IPC.
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Listener = (...args: unknown[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(name: string, fn: Listener) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return this;
  }
  once(name: string, fn: Listener) {
    return this.on(name, fn);
  }
  removeListener(name: string, fn: Listener) {
    this.listeners.set(
      name,
      (this.listeners.get(name) ?? []).filter((l) => l !== fn),
    );
    return this;
  }
  emit(name: string, ...args: unknown[]) {
    for (const l of this.listeners.get(name) ?? []) l(...args);
    return true;
  }
}

export const recorded = {
  windows: [] as StubBrowserWindow[],
  trays: [] as StubTray[],
  menus: [] as unknown[][],
  handlers: new Map<string, Listener>(),
  sessionHooks: [] as string[],
  exposed: new Map<string, unknown>(),
  invoked: [] as { channel: string; args: unknown[] }[],
  sent: [] as { channel: string; payload: unknown }[],
  dialogs: [] as unknown[],
  badge: 0,
  notifications: [] as { title: string; body: string }[],
  quitCalled: false,
  userData: '',
  utilityForks: [] as { modulePath: string; serviceName?: string; pid?: number; runAsNode: boolean }[],
};

class StubWebContents extends Emitter {
  windowOpenHandler?: (d: unknown) => unknown;
  setWindowOpenHandler(fn: (d: unknown) => unknown) {
    this.windowOpenHandler = fn;
  }
  send(channel: string, payload: unknown) {
    recorded.sent.push({ channel, payload });
  }
  isDestroyed() {
    return false;
  }
}

export class StubBrowserWindow extends Emitter {
  readonly webContents = new StubWebContents();
  loaded?: { file?: string; url?: string };
  constructor(readonly options: Record<string, unknown>) {
    super();
    recorded.windows.push(this);
  }
  loadFile(file: string) {
    this.loaded = { file };
    return Promise.resolve();
  }
  loadURL(url: string) {
    this.loaded = { url };
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  show() {}
  focus() {}
  static getAllWindows() {
    return recorded.windows;
  }
}

export class StubTray extends Emitter {
  tooltip = '';
  menu: unknown;
  /** Every image set, the first one (the constructor's) included. */
  readonly images: unknown[] = [];
  constructor(readonly image: unknown) {
    super();
    this.images.push(image);
    recorded.trays.push(this);
  }
  setImage(image: unknown) {
    this.images.push(image);
  }
  setToolTip(t: string) {
    this.tooltip = t;
  }
  setContextMenu(m: unknown) {
    this.menu = m;
  }
}

class StubApp extends Emitter {
  isPackaged = false;
  getPath(name: string) {
    if (!recorded.userData) recorded.userData = mkdtempSync(join(tmpdir(), 'kintsugi-stub-userdata-'));
    return name === 'userData' ? recorded.userData : join(recorded.userData, name);
  }
  setPath() {}
  getAppPath() {
    return process.cwd();
  }
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return Promise.resolve();
  }
  quit() {
    recorded.quitCalled = true;
  }
  setBadgeCount(n: number) {
    recorded.badge = n;
    return true;
  }
}

export const app = new StubApp();
export const BrowserWindow = StubBrowserWindow;
export const Tray = StubTray;

export const Menu = {
  buildFromTemplate(template: unknown[]) {
    recorded.menus.push(template);
    return { template };
  },
};

/** Images carry what they were made of: a path, or the raw pixels handed to createFromBitmap (tests compare them). */
export const nativeImage = {
  createFromPath(path: string) {
    const img = {
      path,
      isEmpty: () => false,
      resize: (o: { width: number; height: number }) => ({ ...img, size: o }),
      toBitmap: () => Buffer.alloc(32 * 32 * 4, 0x40),
    };
    return img;
  },
  createFromBitmap(buffer: Buffer, size: { width: number; height: number }) {
    return { bitmap: Buffer.from(buffer), size, isEmpty: () => false };
  },
};

export class Notification extends Emitter {
  static isSupported() {
    return true;
  }
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show() {
    recorded.notifications.push(this.options);
  }
}

export const session = {
  defaultSession: {
    webRequest: {
      onHeadersReceived: () => recorded.sessionHooks.push('onHeadersReceived'),
      onBeforeRequest: () => recorded.sessionHooks.push('onBeforeRequest'),
    },
    setPermissionRequestHandler: () => recorded.sessionHooks.push('setPermissionRequestHandler'),
    setPermissionCheckHandler: () => recorded.sessionHooks.push('setPermissionCheckHandler'),
  },
};

export const ipcMain = {
  handle(channel: string, fn: Listener) {
    if (recorded.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    recorded.handlers.set(channel, fn);
  },
  removeHandler(channel: string) {
    recorded.handlers.delete(channel);
  },
};

const rendererEmitter = new Emitter();
export const ipcRenderer = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    recorded.invoked.push({ channel, args });
    return Promise.resolve({ ok: true, value: { channel, args } });
  },
  on: (c: string, fn: Listener) => rendererEmitter.on(c, fn),
  removeListener: (c: string, fn: Listener) => rendererEmitter.removeListener(c, fn),
  /** Test-only: deliver a message as if main had sent it. */
  emit: (c: string, ...args: unknown[]) => rendererEmitter.emit(c, ...args),
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    recorded.exposed.set(key, api);
  },
};

export const dialog = {
  showOpenDialog(...args: unknown[]) {
    recorded.dialogs.push(args);
    return Promise.resolve({ canceled: true, filePaths: [] });
  },
};

export const shell = { openPath: () => Promise.resolve('') };

/**
 * utilityProcess.fork, from its documented shape: a Node child with a message channel. The parent side emits
 * 'message' with the message itself and 'exit' with the code; the child side here is Node's IPC channel
 * (process.send / 'message'), where Electron's would be process.parentPort (message events with .data).
 */
export const utilityProcess = {
  fork(
    modulePath: string,
    args: string[] = [],
    opts: { env?: NodeJS.ProcessEnv; serviceName?: string } = {},
  ) {
    const child = fork(modulePath, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    recorded.utilityForks.push({
      modulePath,
      serviceName: opts.serviceName,
      pid: child.pid,
      runAsNode: opts.env?.['ELECTRON_RUN_AS_NODE'] !== undefined,
    });
    const proc = Object.assign(new Emitter(), {
      pid: child.pid,
      stdout: child.stdout,
      stderr: child.stderr,
      postMessage: (m: unknown) => void child.send(m as string),
      kill: () => child.kill(),
    });
    child.on('message', (m) => proc.emit('message', m));
    child.on('exit', (code) => proc.emit('exit', code ?? -1));
    return proc;
  },
};

export default {
  app,
  BrowserWindow,
  Tray,
  Menu,
  nativeImage,
  Notification,
  session,
  ipcMain,
  ipcRenderer,
  contextBridge,
  dialog,
  shell,
  utilityProcess,
};
