import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { freeSpaceNear } from '../core/util/free-space';
import type { HandlerDeps } from './deps';

export function appHandlers(deps: HandlerDeps): DomainApi<Domains['app']> {
  return {
    getSettings: () => deps.settings.load(),
    saveSettings: (patch) => deps.settings.save(patch),
    getUiState: () => deps.ui.load(),
    saveUiState: (state) => deps.ui.save(state),
    getFreeSpace: ({ path }) => freeSpaceNear(path),
    pickPath: ({ purpose }) => deps.pickPath(purpose),
  };
}
