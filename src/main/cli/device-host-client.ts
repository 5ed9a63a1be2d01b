import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobExecutor } from '../core/jobs/executor';
import { childTransport } from '../job-host/child-transport';
import { JobHostClient } from '../job-host/client';

// How the CLI runs a device job: in a fresh child host (device-host.ts) per job, never in its own process. The
// client enforces the deadlines (job-host/client.ts): a cancel not honoured within cancelGraceMs kills the host,
// and a job that ended — done or failed — never waits for the host to exit: a host stuck in the kernel is left
// to end when its drive answers or is removed. A fresh host per job means a stuck one never blocks the next.

export const defaultDeviceHostPath = (): string =>
  join(dirname(fileURLToPath(import.meta.url)), 'device-host.js');

export interface DeviceHostOptions {
  hostPath?: string;
  nodePath?: string;
  cancelGraceMs?: number;
}

/** After a job succeeded, how long its host has to exit before it is killed (it normally exits at once). */
const CLOSE_AFTER_DONE_MS = 5_000;

export function startDeviceHost(opts: DeviceHostOptions = {}): Promise<JobHostClient> {
  return JobHostClient.open(
    childTransport({
      file: opts.nodePath ?? process.execPath,
      args: [opts.hostPath ?? defaultDeviceHostPath()],
      env: process.env,
    }),
    {
      name: 'device host',
      ...(opts.cancelGraceMs !== undefined ? { cancelGraceMs: opts.cancelGraceMs } : {}),
    },
  );
}

/** The CLI's device executor: a fresh host per job, which can be started before the job is known. */
export interface DeviceHostExecutor extends JobExecutor {
  /**
   * Starts the next job's host now, so that its start-up (a Node process loading the job host: ~0.1 s) runs while
   * the caller loads its own code and writes the job's record. The next run() takes it; the one after starts its
   * own, as ever. The host's process is spawned when this returns.
   */
  prestart(): void;
  /** Ends a host prestart() made that no job took (the command failed or was refused before its job). */
  dispose(): Promise<void>;
}

export function deviceHostExecutor(opts: DeviceHostOptions = {}): DeviceHostExecutor {
  let spare: Promise<JobHostClient> | undefined;
  const takeSpare = async (): Promise<JobHostClient | undefined> => {
    const s = spare;
    spare = undefined;
    return s?.catch(() => undefined);
  };
  return {
    prestart() {
      spare ??= startDeviceHost(opts);
      spare.catch(() => undefined); // a host that failed to start is started again by run(), which reports why
    },
    async run(req, ctx) {
      const taken = await takeSpare();
      // A spare that died while it waited (Ctrl-C reaches it too) is not handed a job.
      const host = taken?.alive ? taken : await startDeviceHost(opts);
      let ok = false;
      try {
        const result = await host.run(req, ctx);
        ok = true;
        return result;
      } finally {
        // After a failure the host may be stuck on the drive that failed: do not wait for it at all.
        await host.close(ok ? CLOSE_AFTER_DONE_MS : 0);
      }
    },
    async dispose() {
      // It ran nothing, so it has nothing to finish: it exits as soon as its input closes.
      await (await takeSpare())?.close(CLOSE_AFTER_DONE_MS);
    },
  };
}
