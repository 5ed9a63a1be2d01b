import { useEffect, useState } from 'react';
import type { BackupNeed } from '../../../shared/backup/contract';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { toUiError } from '../../shared/errors';

const SETTLE_MS = 250;

/**
 * How much room backing up `device`'s persistence store needs, asked of main as soon as a drive is chosen (and
 * again when the destination changes: the need is counted in its blocks). undefined while main reads the store.
 */
export function useBackupNeed(device: string | undefined, destRoot?: string): BackupNeed | undefined {
  const includeLoop = useStore((s) => s.settings.includeLoop);
  const [need, setNeed] = useState<{ key: string; value: BackupNeed } | undefined>();
  const dest = destRoot?.startsWith('/') ? destRoot : undefined;
  const key = `${device}\n${dest ?? ''}\n${includeLoop}`;

  useEffect(() => {
    if (!device) return;
    let live = true;
    // Once typing in the destination field pauses: each estimate reads the drive (a .dat store's data partition
    // may even be mounted for it), one per keystroke would be wasted work.
    const timer = setTimeout(() => {
      api()
        .backup.estimateNeed({ source: device, destRoot: dest, includeLoop })
        .then((value) => live && setNeed({ key, value }))
        .catch((err: unknown) => {
          const e = toUiError(err);
          if (live) setNeed({ key, value: { known: false, reason: e.detail ?? e.message, hint: e.hint } });
        });
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [device, dest, includeLoop, key]);

  // A figure for another drive or destination is not this one's.
  return device && need?.key === key ? need.value : undefined;
}
