import type { RunnersFor } from '../jobs/runner-types';
import { runBackup } from './backup';
import { runRestore } from './restore';
import { checkBackup } from './check';

export const backupRunners: RunnersFor<'backup' | 'restore' | 'backup-check'> = {
  backup: (params, ctx) => runBackup(params, ctx),
  restore: (params, ctx) => runRestore(params, ctx),
  'backup-check': (params, ctx) =>
    checkBackup(params.backupDir, { signal: ctx.signal, progress: ctx.progress }),
};
