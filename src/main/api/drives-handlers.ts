import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { listDrives } from '../core/drives/list-drives';
import { driveViews } from '../core/drives/views';
import type { HandlerDeps } from './deps';

export function drivesHandlers(deps: HandlerDeps): DomainApi<Domains['drives']> {
  return {
    async list(req) {
      // The loop opt-in comes from the request when given, else from the saved setting.
      const includeLoop = req.includeLoop ?? (await deps.settings.load()).includeLoop;
      return driveViews(await listDrives({ includeLoop }), {
        includeLoop,
        imageSize: req.imageSize,
        imagePath: req.imagePath,
      });
    },
  };
}
