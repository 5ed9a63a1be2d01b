import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { listBackups } from '../core/backup/list';
import { estimateStoreNeed } from '../core/backup/store-need';

export function backupHandlers(): DomainApi<Domains['backup']> {
  return {
    list: ({ dir }) => listBackups(dir),
    estimateNeed: ({ source, destRoot, includeLoop }) =>
      estimateStoreNeed({ source, destRoot, includeLoop: includeLoop ?? false }),
  };
}
