import type { RunnersFor } from '../jobs/runner-types';
import { runBackup } from './backup';
import { runRestore } from './restore';

export const backupRunners: RunnersFor<'backup' | 'restore'> = {
  backup: (params, ctx) => runBackup(params, ctx),
  restore: (params, ctx) => runRestore(params, ctx),
};
