import { z } from 'zod';
import { domain, job, method, produced } from '../ipc/define';
import { absolutePath } from '../paths';
import type { ScheduleChange, ScheduleState } from './model';

// The schedule (weekly docs & scripts pull, monthly model verify). Reading it is a method; writing the system's
// timers or cron file needs root: two helper jobs whose only parameter is the data root, the folders and the
// command being the helper's own choice (core/schedule/jobs.ts).

export const scheduleParams = z.strictObject({ dataRoot: absolutePath });

export const scheduleContract = domain({
  methods: {
    show: method(z.tuple([]), produced<ScheduleState>()),
    /** Start the install / remove job; main adds the data root from its settings. */
    install: method(z.tuple([]), produced<{ jobId: string }>()),
    remove: method(z.tuple([]), produced<{ jobId: string }>()),
  },
  jobs: {
    'schedule-install': job({
      title: 'Install the update schedule',
      host: 'helper',
      params: scheduleParams,
      result: produced<ScheduleChange>(),
    }),
    'schedule-remove': job({
      title: 'Remove the update schedule',
      host: 'helper',
      params: scheduleParams,
      result: produced<ScheduleChange>(),
    }),
  },
});
