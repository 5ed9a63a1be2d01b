import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_METHODS, channelFor, JOB_EVENT_CHANNEL } from '../shared/channels';
import type { ApiResponse, KintsugiBridge } from '../shared/contract';
import type { JobEvent } from '../shared/jobs';

// The sandboxed preload: exposes the contract as named functions on window.kintsugi and nothing else (no
// generic invoke, no ipcRenderer). Errors come back as plain {code, message, hint, detail} objects: an Error
// would lose its fields crossing the context bridge.

export function unwrap<T>(response: ApiResponse<T>): T {
  if (response && response.ok) return response.value;
  const e = response?.error ?? { code: 'INTERNAL', message: 'No response from the app.' };
  throw { code: e.code, message: e.message, hint: e.hint, detail: e.detail };
}

export function buildBridge(): KintsugiBridge {
  const bridge: Record<string, unknown> = {};
  // One named function per fixed contract entry, each bound to its own channel.
  for (const method of API_METHODS) {
    const channel = channelFor(method);
    bridge[method] = async (...args: unknown[]) => unwrap(await ipcRenderer.invoke(channel, ...args));
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
