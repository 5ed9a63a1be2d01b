import { fromErrorPayload } from '../../../shared/errors';
import type { Settings } from '../../../shared/app/settings';
import type { JobExecutor } from '../jobs/executor';
import type { JobRunner } from '../jobs/job-runner';
import { quietContext } from '../jobs/context';
import { openOsBackend, type OsBackendFactories } from './backends';
import { OS_BACKGROUND_FLOW } from './record-jobs';
import type { OsStateStore } from './state-store';
import { targetParams, type OsTargetConfig } from './target';

// What one background check is, in main. A check against / needs root (apt-get update, an ostree pull): when the
// app runs as root the helper starts without a prompt and the real os-check job runs (flow os-background, so its
// record says "background"). A desktop user's app must not raise a password prompt every few hours, so there the
// background check is the offline status read, unprivileged, in main: the updates as the system's own timers
// last refreshed them (apt-daily.timer, rpm-ostreed's automatic policy). "Check now" on the page is the real
// check, with the one prompt the person asked for. The tray's week-without-a-check warning counts real checks
// only, so a desktop whose own timers are off is told.

export interface BackgroundCheckDeps {
  runner: JobRunner;
  executor: JobExecutor;
  settings(): Promise<Settings>;
  store: OsStateStore;
  target: OsTargetConfig;
  backends: OsBackendFactories;
  /** The app runs as root: the helper needs no prompt. */
  privileged: boolean;
}

export function backgroundOsCheck(deps: BackgroundCheckDeps): () => Promise<void> {
  return async () => {
    const s = await deps.settings();
    const target = targetParams(deps.target, s);
    if (!deps.privileged) {
      const backend = await openOsBackend(target, deps.backends);
      await deps.store.recordState('status', await backend.status(quietContext()));
      return;
    }
    // The scheduler already decided the network question (osCheckOnMetered is the person's standing yes).
    const params = {
      ...target,
      allowMetered: s.osCheckOnMetered ?? false,
      meteredSetting: s.metered ?? 'auto',
    };
    const id = deps.runner.start({ type: 'os-check', params }, deps.executor, { flow: OS_BACKGROUND_FLOW });
    const final = await deps.runner.wait(id);
    if (final.state === 'failed' && final.error) throw fromErrorPayload(final.error);
  };
}
