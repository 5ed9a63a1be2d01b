import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { listBackups } from '../core/backup/list';
import { estimateStoreNeed } from '../core/backup/store-need';
import type { HandlerDeps } from './deps';

export function backupHandlers(deps: Pick<HandlerDeps, 'runner' | 'executor'>): DomainApi<Domains['backup']> {
  return {
    list: ({ dir }) => listBackups(dir),
    estimateNeed: ({ source, destRoot, includeLoop }) =>
      estimateStoreNeed({ source, destRoot, includeLoop: includeLoop ?? false }),
    // On the helper (the contract says why); its authorizer checks the folder (helper/authorize.ts).
    check: async ({ backupDir }) => ({
      jobId: deps.runner.start({ type: 'backup-check', params: { backupDir } }, deps.executor),
    }),
  };
}
