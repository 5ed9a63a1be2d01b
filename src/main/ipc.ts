import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { KintsugiError } from '../shared/errors';
import { channelFor, JOB_EVENT_CHANNEL, type ApiResponse } from '../shared/ipc/envelope';
import { API_ENTRIES, type JobEvent, type KintsugiApi } from '../shared/registry';
import { invokeHandler } from './api/handlers';
import { isTrustedSenderUrl, type RendererOrigin } from './security';

// Typed IPC registration: one ipcMain.handle per contract entry (derived from the registry), each checking who is
// calling before the handler (which validates the payload) runs. The only main-side file allowed to touch ipcMain.

export function senderUrl(event: IpcMainInvokeEvent): string | undefined {
  return event.senderFrame?.url;
}

export function registerIpc(api: KintsugiApi, origin: RendererOrigin): string[] {
  const channels: string[] = [];
  for (const [domain, method] of API_ENTRIES) {
    const channel = channelFor(domain, method);
    ipcMain.handle(
      channel,
      async (event: IpcMainInvokeEvent, ...args: unknown[]): Promise<ApiResponse<unknown>> => {
        const url = senderUrl(event);
        if (!isTrustedSenderUrl(url, origin)) {
          const err = new KintsugiError(
            'IPC_SENDER_REJECTED',
            `${domain}.${method} called from ${url ?? 'an unknown frame'}`,
          );
          return { ok: false, error: err.toPayload() };
        }
        return invokeHandler(api, `${domain}.${method}`, args);
      },
    );
    channels.push(channel);
  }
  return channels;
}

export function unregisterIpc(): void {
  for (const [domain, method] of API_ENTRIES) ipcMain.removeHandler(channelFor(domain, method));
}

/** Sends every job event to the window's renderer (when the window is still there). */
export function forwardJobEvents(
  subscribe: (listener: (event: JobEvent) => void) => () => void,
  target: () => WebContents | undefined,
): () => void {
  return subscribe((event) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(JOB_EVENT_CHANNEL, event);
  });
}
