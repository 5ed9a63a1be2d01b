import { KintsugiError } from '../../../../shared/errors';
import type { StatusEntry } from './admin-status';
import { rollbackTarget } from './rollback-target';

// How to make the rollback target the default with the ostree at hand (pure: the caller runs the plan).
// - `set-default INDEX` where ostree has it (newer than 2022.7): reorders, deletes nothing.
// - Else, when the default is first in the bootloader order, directly followed by the target, and is neither
//   booted nor pinned: `undeploy 0`, the recipe's way (the target moves up to 0). The newer deployment is
//   deleted; its commit stays in the repo until a cleanup, so an upgrade brings it back without a download.
// - Else (the default is the booted one, or pinned, or another stateroot sits between): deploy the target's
//   commit again with its own origin, keeping every deployment (`deploy --retain`); the new copy takes the
//   /etc of the current deployment, as any ostree deploy does.

export type RollbackPlan =
  | { kind: 'set-default'; target: StatusEntry }
  | { kind: 'undeploy-default'; target: StatusEntry; removed: StatusEntry }
  | { kind: 'redeploy'; target: StatusEntry };

export function planRollback(
  entries: readonly StatusEntry[],
  osName: string,
  setDefaultAvailable: boolean,
): RollbackPlan {
  const t = rollbackTarget(entries, osName);
  if (t.kind === 'staged')
    throw new KintsugiError(
      'OS_STAGED_BLOCKS_ROLLBACK',
      `deployment ${t.stagedIndex} is staged for the next boot`,
      {
        hint: 'To drop the staged update, run `ostree admin undeploy 0`; to keep it, reboot into it first and roll back afterwards if needed.',
      },
    );
  if (t.kind === 'none')
    throw new KintsugiError('OS_NO_ROLLBACK_TARGET', `stateroot "${osName}" has a single deployment`);
  const target = entries[t.index]!;
  if (setDefaultAvailable) return { kind: 'set-default', target };
  const first = entries[0]!;
  if (first.osName === osName && !first.booted && !first.pinned && target.index === 1)
    return { kind: 'undeploy-default', target, removed: first };
  return { kind: 'redeploy', target };
}
