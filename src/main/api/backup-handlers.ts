import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { listBackups } from '../core/backup/list';

export function backupHandlers(): DomainApi<Domains['backup']> {
  return { list: ({ dir }) => listBackups(dir) };
}
