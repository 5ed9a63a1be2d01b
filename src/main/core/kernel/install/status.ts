import type { KernelInstallState } from '../../../../shared/kernel/model';
import { bootTime, decideHeartbeat, readHeartbeat, type Heartbeat } from './heartbeat';
import { checkHost, checkRoot, isRealRoot, stateFile } from './paths';
import { loadRecord } from './state';

// `kintsugi kernel status HOST`: what the record and the heartbeat say now. Read-only: it never changes the record.

export interface KernelHostStatus {
  host: string;
  root: string;
  stateFile: string;
  state: KernelInstallState;
  overdue: boolean;
  deadline?: string;
  note?: string;
  installedVersion?: string;
  kernelRelease?: string;
  replacedVersion?: string | null;
  backupPath?: string | null;
  triggers?: string[];
  rollback?: string[];
  heartbeat: Heartbeat | null;
}

export async function kernelStatus(o: {
  host: string;
  root: string;
  now?: number;
}): Promise<KernelHostStatus> {
  const host = checkHost(o.host);
  const root = checkRoot(o.root);
  const [rec, hb] = await Promise.all([loadRecord(root, host), readHeartbeat(root)]);
  const booted = isRealRoot(root) ? await bootTime() : undefined;
  const v = decideHeartbeat(rec, hb, o.now ?? Date.now(), booted);
  return {
    host,
    root,
    stateFile: stateFile(root, host),
    state: v.state,
    overdue: v.overdue,
    ...(v.deadline !== undefined ? { deadline: new Date(v.deadline).toISOString() } : {}),
    ...(v.note ? { note: v.note } : {}),
    ...(rec
      ? {
          installedVersion: rec.package.version,
          kernelRelease: rec.package.kernelRelease,
          replacedVersion: rec.replaced?.version ?? null,
          backupPath: rec.backupPath,
          ...(rec.steps.triggers ? { triggers: rec.steps.triggers.outcomes } : {}),
          ...(rec.rollback?.package ? { rollback: [rec.rollback.package] } : {}),
        }
      : {}),
    heartbeat: hb,
  };
}
