import { z } from 'zod';
import { domain, method, produced } from '../ipc/define';
import { jobId } from '../paths';
import type { JobRecord } from './record';

const byId = z.tuple([z.strictObject({ jobId })]);

export const jobsContract = domain({
  methods: {
    /** Newest first: running, then finished and interrupted jobs still on disk. */
    list: method(z.tuple([]), produced<JobRecord[]>()),
    get: method(byId, produced<JobRecord | null>()),
    cancel: method(byId, produced<{ cancelled: boolean }>()),
    /** The tail of the job's log file (the newest lines; the file itself holds more). */
    log: method(byId, produced<{ text: string; truncated: boolean }>()),
  },
});
