import { KintsugiError } from '../../shared/errors';
import type { DomainApi } from '../../shared/ipc/define';
import type { OsOverview } from '../../shared/os/contract';
import type { Domains } from '../../shared/registry';
import { quietContext } from '../core/jobs/context';
import { openOsBackend } from '../core/os/backends';
import { detectOsBackend, type OsDetection } from '../core/os/detect';
import { osOverview } from '../core/os/overview';
import { targetParams } from '../core/os/target';
import type { HandlerDeps } from './deps';

// The OS page's, the home card's and the tray's calls. The page names no system: every job's target is main's
// own (deps.os.target, this machine unless a harness says otherwise) plus the backend the settings force; the
// page adds only what the person decided (their yes to a metered download, which deployment to pin).

export function osHandlers(deps: HandlerDeps, now: () => Date = () => new Date()): DomainApi<Domains['os']> {
  const os = deps.os;
  const target = async () => targetParams(os.target, await deps.settings.load());

  async function detection(): Promise<OsDetection | { problem: string }> {
    const s = await deps.settings.load();
    try {
      return await detectOsBackend({
        root: os.target.root,
        sysroot: os.target.sysroot,
        ...(s.osBackend ? { forced: s.osBackend } : {}),
      });
    } catch (err) {
      if (err instanceof KintsugiError) return { problem: err.detail ?? err.message };
      throw err;
    }
  }

  async function overview(): Promise<OsOverview> {
    // An OS job's outcome is recorded from the same event the page reacts to (core/os/record-jobs.ts, subscribed
    // before any window): wait for that write, so a page asking on `done` gets the state after the job.
    await os.store.idle();
    const [record, settings, backend] = await Promise.all([
      os.store.load(),
      deps.settings.load(),
      detection(),
    ]);
    return osOverview(record, settings, os.target, backend, now());
  }

  const start = (req: Parameters<HandlerDeps['runner']['start']>[0]) => ({
    jobId: deps.runner.start(req, deps.executor),
  });

  return {
    overview,
    async refresh() {
      // Offline and unprivileged: release, deployments, reboot-required, an interrupted apply, updates as last
      // checked. Run here in main (no job, no password prompt); its failure is the person's to read.
      const backend = await openOsBackend(await target(), await os.backends());
      await os.store.recordState('status', await backend.status(quietContext()));
      return overview();
    },
    async check({ allowMetered }) {
      const s = await deps.settings.load();
      const params = {
        ...(await target()),
        allowMetered: allowMetered === true,
        meteredSetting: s.metered ?? 'auto',
      };
      return start({ type: 'os-check', params });
    },
    async apply({ allowMetered }) {
      const s = await deps.settings.load();
      const params = {
        ...(await target()),
        allowMetered: allowMetered === true,
        meteredSetting: s.metered ?? 'auto',
      };
      return start({ type: 'os-apply', params });
    },
    rollback: async () => start({ type: 'os-rollback', params: await target() }),
    pin: async ({ index, pinned }) =>
      start({ type: 'os-pin', params: { ...(await target()), index, pinned } }),
    repair: async () => start({ type: 'os-repair', params: await target() }),
  };
}
