import { KintsugiError } from '../../../shared/errors';
import type { JobType } from '../../../shared/registry';
import type { JobExecutor } from '../jobs/executor';
import { parseJobRequest } from '../jobs/request';
import type { JobRunFn, RunnersFor } from '../jobs/runner-types';
import { requireUnmeteredOrAllowed } from '../network/require-unmetered';
import { OS_BACKEND_FACTORIES, openOsBackend, type OsBackendFactories } from './backends';

// The five OS jobs. They run where their declaration says (the helper for the app, the CLI's device host or its
// own process for `kintsugi os`), so they only talk to the backend and return what it answers: remembering the
// last state and check outcome is the caller's side (state-store.ts, record-jobs.ts), in the caller's state dir,
// never a file root writes on someone's behalf.

export type OsJobType = Extract<JobType, `os-${string}`>;

export function osRunnersWith(factories: OsBackendFactories = OS_BACKEND_FACTORIES): RunnersFor<OsJobType> {
  return {
    'os-check': async (p, ctx) => {
      // Metadata only (apt lists, an ostree commit's metadata): small, but a download all the same.
      await requireUnmeteredOrAllowed({
        setting: p.meteredSetting,
        allowMetered: p.allowMetered,
        what: 'Checking for OS updates',
        size: 'the package lists or the new deployment’s metadata (usually a few MB)',
      });
      return (await openOsBackend(p, factories, ctx)).check(ctx);
    },
    'os-apply': async (p, ctx) => {
      await requireUnmeteredOrAllowed({
        setting: p.meteredSetting,
        allowMetered: p.allowMetered,
        what: 'Applying OS updates',
        size: 'the updated packages or the new deployment (`kintsugi os check` lists them)',
      });
      return (await openOsBackend(p, factories, ctx)).apply(ctx);
    },
    'os-rollback': async (p, ctx) => (await openOsBackend(p, factories, ctx)).rollback(ctx),
    'os-pin': async (p, ctx) => (await openOsBackend(p, factories, ctx)).pin(ctx, p.index, p.pinned),
    'os-repair': async (p, ctx) => {
      const backend = await openOsBackend(p, factories, ctx);
      if (!backend.repair)
        throw new KintsugiError('OS_REPAIR_NOT_SUPPORTED', `the ${backend.name} backend has no repair`);
      return backend.repair(ctx);
    },
  };
}

export const osRunners = osRunnersWith();

/**
 * Runs OS jobs in this process with the given backends: the CLI's executor for a root other than / (a chroot,
 * the tests' throwaway root), and the tests' seam for a stand-in backend. Any other job type is refused: this is
 * no general executor.
 */
export function osExecutor(factories: OsBackendFactories = OS_BACKEND_FACTORIES): JobExecutor {
  const runners = osRunnersWith(factories);
  return {
    async run(req, ctx) {
      const job = parseJobRequest(req);
      if (!Object.prototype.hasOwnProperty.call(runners, job.type))
        throw new KintsugiError('INVALID_ARGUMENT', `${job.type} is not an OS job`);
      const run = runners[job.type as OsJobType] as JobRunFn<OsJobType>;
      return run(job.params as never, ctx, {});
    },
  };
}
