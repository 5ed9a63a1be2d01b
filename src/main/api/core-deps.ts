import { PRIVILEGED_JOBS, type JobRequest } from '../../shared/jobs';
import type { DriveView, Settings } from '../../shared/model';
import { listBackups } from '../core/backup/list';
import { listDrives } from '../core/drives/list-drives';
import { driveViews } from '../core/drives/views';
import { routingExecutor, type JobExecutor } from '../core/jobs/executor';
import { JobRunner } from '../core/jobs/job-runner';
import { inProcessExecutor } from '../core/jobs/run-job';
import type { HandlerDeps } from './deps';

// Wires the handler object to real core. Unprivileged jobs (image checks) run in this process; privileged ones
// go to `privileged` (the helper client in the app, in-process in the e2e harness, which already runs as root).

export interface CoreDepsOptions {
  settings: { load(): Promise<Settings> };
  /** Created on first use so the password prompt only appears when a privileged job actually starts. */
  privileged?: () => JobExecutor | Promise<JobExecutor>;
  jobRunner?: JobRunner;
}

export type CoreDeps = Pick<HandlerDeps<JobExecutor>, 'executorFor' | 'listDrives' | 'listBackups'> & {
  jobRunner: JobRunner;
  /** The privileged executor if one was started (to close it on quit). */
  startedPrivileged(): Promise<JobExecutor | undefined>;
};

export function createCoreDeps(opts: CoreDepsOptions): CoreDeps {
  const jobRunner = opts.jobRunner ?? new JobRunner();
  let privileged: Promise<JobExecutor> | undefined;
  const lazyPrivileged: JobExecutor = {
    run: async (req, ctx) => {
      privileged ??= Promise.resolve(opts.privileged ? opts.privileged() : inProcessExecutor());
      let executor: JobExecutor;
      try {
        executor = await privileged;
      } catch (err) {
        // A dismissed password prompt must not stick: the next privileged job asks again.
        privileged = undefined;
        throw err;
      }
      return executor.run(req, ctx);
    },
  };
  return {
    jobRunner,
    startedPrivileged: () => (privileged ? privileged.catch(() => undefined) : Promise.resolve(undefined)),
    async executorFor(_req: JobRequest) {
      const { cacheDir } = await opts.settings.load();
      return routingExecutor(inProcessExecutor({ cacheDir }), lazyPrivileged, (t) => PRIVILEGED_JOBS.has(t));
    },
    async listDrives({ includeLoop, imageSize, imagePath }): Promise<DriveView[]> {
      const drives = await listDrives({ includeLoop });
      return driveViews(drives, { includeLoop, imageSize, imagePath });
    },
    listBackups: (dir) => listBackups(dir),
  };
}
