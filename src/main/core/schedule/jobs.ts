import type { RunnersFor } from '../jobs/runner-types';
import { bundledCliArgv } from './cli-path';
import { scheduleRunAs } from './run-as';
import { installSchedule, removeSchedule, scheduleTarget } from './schedule';

// The schedule's helper jobs: always the system's own folders (systemd when it runs, else cron), never a folder
// from the request, and the command is the CLI bundle beside the helper.

export const scheduleRunners: RunnersFor<'schedule-install' | 'schedule-remove'> = {
  'schedule-install': async (p) =>
    installSchedule({
      target: await scheduleTarget({}),
      kintsugi: bundledCliArgv(),
      dataRoot: p.dataRoot,
      ...(await scheduleRunAs(p.dataRoot)),
    }),
  'schedule-remove': async () => removeSchedule(await scheduleTarget({})),
};
