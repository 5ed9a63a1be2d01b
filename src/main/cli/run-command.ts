import { KintsugiError } from '../../shared/errors';
import type { JobRequest } from '../../shared/jobs';
import { hostRoutingExecutor, type JobExecutor } from '../core/jobs/executor';
import { inProcessExecutor } from '../core/jobs/run-job';
import type { Services, ServicesOptions } from '../core/services';
import type { Command, GlobalOptions } from './args';
import type { DomainCommandContext, DomainCommandOutput } from './domain-command';
import type { DeviceHostExecutor, DeviceHostOptions } from './device-host-client';
import type { CliIo } from './io';
import { jobsCommand } from './jobs-commands';
import { progressView } from './progress-view';
import { runJobWithView } from './run-with-progress';

// Runs one parsed command: builds what every command shares (the services under --state-dir, created and loaded
// on first use since plain drive, image and listing commands write no state; the executor; a job runner with the
// progress view), hands the command to its code and closes what it opened. A domain's commands are its
// CliDomain's; the core commands (drives, image, flash, verify, backup, restore, reflash: commands.ts) are loaded
// only when one of them runs, so `kintsugi os check` does not load the drive and image code. Jobs run on the same
// journaled job service as the app's, so `kintsugi jobs` shows them.

export type CommandOutput = DomainCommandOutput;

/**
 * The core commands whose run starts a device job. Their device host is started first, so that its start-up
 * (~0.1 s) overlaps the loading of the command's code and the services and the writing of the job's record instead
 * of following them. Only a head start: a command missing here starts its host when its job starts, and one listed
 * that stops before its job (refused, bad input) ends the unused host.
 */
const RUNS_DEVICE_JOB: ReadonlySet<Command['cmd']> = new Set([
  'flash',
  'verify',
  'backup',
  'restore',
  'reflash',
]);

export async function runCommand(command: Command, io: CliIo, g: GlobalOptions): Promise<CommandOutput> {
  let services: Promise<Services> | undefined;
  const device = deviceExecutor(io.deviceHost);
  if (!io.executor && RUNS_DEVICE_JOB.has(command.cmd)) await device.prestart();
  const executor = io.executor ?? cliExecutor(device);
  const getServices = (settingsOverrides?: ServicesOptions['settingsOverrides']) =>
    (services ??= import('../core/services').then(({ createServices }) =>
      createServices({
        stateDir: g.stateDir,
        hosts: { helper: () => executor },
        ...(settingsOverrides ? { settingsOverrides } : {}),
      }),
    ));
  const run = async (req: JobRequest) =>
    runJobWithView(req, (await getServices()).runner, executor, io.signal, progressView(io, g));
  const c: DomainCommandContext = { io, g, services: getServices, run };
  try {
    return await dispatch(command, c);
  } finally {
    await device.dispose();
    const s = await services?.catch(() => undefined);
    if (s) {
      s.flow.unsubscribe();
      await s.interrupted.catch(() => undefined);
      // The journal's prune after the job: index.ts exits 50 ms after main() returns, whatever is still running.
      await s.journal.idle();
      // An OS job's outcome is written by the services' recorder; it must land before the process exits.
      await s.os.store.idle();
    }
  }
}

/** Device jobs in a child host per job; the rest (image checks) in this process: it has no UI thread to free. */
function cliExecutor(device: JobExecutor): JobExecutor {
  const here = inProcessExecutor();
  return hostRoutingExecutor({ main: here, utility: here, helper: device });
}

/** The device host's client, loaded by the first prestart() or device job: most commands run none. */
function deviceExecutor(
  opts: DeviceHostOptions | undefined,
): Omit<DeviceHostExecutor, 'prestart'> & { prestart(): Promise<void> } {
  let loaded: Promise<DeviceHostExecutor> | undefined;
  const load = () => (loaded ??= import('./device-host-client').then((m) => m.deviceHostExecutor(opts)));
  return {
    // Resolves once the host is spawned. Awaited before the command's code is imported: loading both at once
    // interleaves them, and the host would be spawned only when most of the command's modules had loaded. A
    // client that cannot load fails the job that needs it, in run().
    prestart: () =>
      load().then(
        (d) => d.prestart(),
        () => undefined,
      ),
    run: async (req, ctx) => (await load()).run(req, ctx),
    dispose: async () => (loaded ? (await loaded).dispose() : undefined),
  };
}

async function dispatch(command: Command, c: DomainCommandContext): Promise<CommandOutput> {
  switch (command.cmd) {
    case 'domain':
      return command.subcommand.run(command.input as never, c);
    case 'jobs-list':
    case 'jobs-show':
    case 'jobs-log':
      return jobsCommand(command, await c.services());
    case 'help':
    case 'version':
      throw new KintsugiError('INTERNAL', `${command.cmd} is handled by main()`);
    default:
      return (await import('./commands')).runCoreCommand(command, c);
  }
}
