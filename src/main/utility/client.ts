import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childTransport } from '../job-host/child-transport';
import { JobHostClient } from '../job-host/client';
import type { HostTransport } from '../job-host/transport';

// Starting the utility process. In the app the shell passes Electron's utilityProcess transport
// (src/main/utility-process.ts); elsewhere it is a child process of the same binary running utility.js.

export const defaultUtilityPath = (): string => join(dirname(fileURLToPath(import.meta.url)), 'utility.js');

export interface UtilityOptions {
  /** Where image downloads are cached (passed to the process: its jobs' env is fixed at start). */
  cacheDir?: string;
  utilityPath?: string;
  nodePath?: string;
  heartbeatTimeoutMs?: number;
}

/** The utility's environment. Not ELECTRON_RUN_AS_NODE: Electron's utilityProcess is already Node, and the
 * variable would make the Electron binary it launches start as plain Node instead of a utility process. */
export function utilityEnv(opts: UtilityOptions): NodeJS.ProcessEnv {
  return { ...process.env, ...(opts.cacheDir ? { KINTSUGI_CACHE_DIR: opts.cacheDir } : {}) };
}

export function startUtility(opts: UtilityOptions = {}, transport?: HostTransport): Promise<JobHostClient> {
  const t =
    transport ??
    childTransport({
      file: opts.nodePath ?? process.execPath,
      args: [opts.utilityPath ?? defaultUtilityPath()],
      // A child of the app's own binary: ELECTRON_RUN_AS_NODE makes it Node (harmless for node itself).
      env: { ...utilityEnv(opts), ELECTRON_RUN_AS_NODE: '1' },
    });
  return JobHostClient.open(t, {
    name: 'utility process',
    ...(opts.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: opts.heartbeatTimeoutMs } : {}),
  });
}
