import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelFor, JOB_EVENT_CHANNEL, type ApiResponse } from '../shared/ipc/envelope';
import { API_ENTRIES, DOMAINS, type JobEvent, type KintsugiBridge } from '../shared/registry';

// The sandboxed preload: exposes the contract as named functions, window.kintsugi.<domain>.<method>, and nothing
// else (no generic invoke, no ipcRenderer). The entries come from the registry, bundled into this one CJS file.
// Errors come back as plain {code, message, hint, detail} objects: an Error would lose its fields crossing the
// context bridge.

export function unwrap<T>(response: ApiResponse<T>): T {
  if (response && response.ok) return response.value;
  const e = response?.error ?? { code: 'INTERNAL', message: 'No response from the app.' };
  throw { code: e.code, message: e.message, hint: e.hint, detail: e.detail };
}

export function buildBridge(): KintsugiBridge {
  const bridge: Record<string, unknown> = {};
  for (const domain of Object.keys(DOMAINS)) bridge[domain] = {};
  // One named function per contract entry, each bound to its own channel.
  for (const [domain, method] of API_ENTRIES) {
    const channel = channelFor(domain, method);
    const group = bridge[domain] as Record<string, unknown>;
    group[method] = async (...args: unknown[]) => unwrap(await ipcRenderer.invoke(channel, ...args));
  }
  bridge.onJobEvent = (listener: (event: JobEvent) => void) => {
    const wrapped = (_e: IpcRendererEvent, event: JobEvent) => listener(event);
    ipcRenderer.on(JOB_EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(JOB_EVENT_CHANNEL, wrapped);
    };
  };
  return bridge as unknown as KintsugiBridge;
}

contextBridge.exposeInMainWorld('kintsugi', buildBridge());
