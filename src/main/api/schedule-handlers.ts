import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { scheduleTarget, showSchedule } from '../core/schedule/schedule';
import type { HandlerDeps } from './deps';

// The schedule as the settings page sees it: read here; install and remove are helper jobs built from main's
// own data root.
export function scheduleHandlers(deps: HandlerDeps): DomainApi<Domains['schedule']> {
  const job = async (type: 'schedule-install' | 'schedule-remove') => ({
    jobId: deps.runner.start(
      { type, params: { dataRoot: (await deps.settings.load()).dataRoot } },
      deps.executor,
    ),
  });
  return {
    show: async () => showSchedule(await scheduleTarget({})),
    install: () => job('schedule-install'),
    remove: () => job('schedule-remove'),
  };
}
