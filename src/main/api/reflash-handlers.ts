import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { previewImage } from '../core/reflash/image-preview';
import type { HandlerDeps } from './deps';

// Intents (and one read-only preview): the flow (core/reflash/flow.ts) checks each against main's saved state and builds the requests.
export function reflashHandlers({ reflash }: HandlerDeps): DomainApi<Domains['reflash']> {
  return {
    getState: () => reflash.state(),
    lastWritten: () => reflash.lastWritten(),
    previewImage: ({ source }) => previewImage(source),
    chooseImage: (req) => reflash.chooseImage(req),
    chooseDrive: (req) => reflash.chooseDrive(req),
    startBackup: (req) => reflash.startBackup(req),
    skipBackup: (req) => reflash.skipBackup(req),
    startFlash: (req) => reflash.startFlash(req),
    startRestore: (req) => reflash.startRestore(req ?? {}),
    useExistingBackup: (req) => reflash.useExistingBackup(req),
    goTo: (req) => reflash.goTo(req),
    startOver: (req) => reflash.startOver(req),
  };
}
