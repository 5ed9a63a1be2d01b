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
  privileged?: () => JobExecutor;
  jobRunner?: JobRunner;
}

export type CoreDeps = Pick<HandlerDeps<JobExecutor>, 'executorFor' | 'listDrives' | 'listBackups'> & {
  jobRunner: JobRunner;
};

export function createCoreDeps(opts: CoreDepsOptions): CoreDeps {
  const jobRunner = opts.jobRunner ?? new JobRunner();
  let privileged: JobExecutor | undefined;
  const lazyPrivileged: JobExecutor = {
    run: (req, ctx) => {
      privileged ??= opts.privileged ? opts.privileged() : inProcessExecutor();
      return privileged.run(req, ctx);
    },
  };
  return {
    jobRunner,
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
