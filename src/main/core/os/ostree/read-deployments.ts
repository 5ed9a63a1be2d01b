import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OsDeployment } from '../../../../shared/os/model';
import { parseAdminStatus, type StatusEntry } from './admin-status';
import { commitVersion } from './commit-version';
import { parseOriginFile } from './origin-file';
import { rollbackTarget } from './rollback-target';
import { ostree } from './run-ostree';
import { deploymentDir } from './sysroot';

// The deployments of a sysroot, from the most machine-readable source for each field: the order and the booted /
// staged marks from `ostree admin status` (nothing else has them in 2022.7), the origin and the pin from each
// deployment's .origin file, the version from the commit's own metadata (`ostree show`).

export async function readDeployments(
  sysroot: string,
  signal: AbortSignal | undefined,
): Promise<StatusEntry[]> {
  const r = await ostree(['admin', 'status', `--sysroot=${sysroot}`], { signal });
  const entries = parseAdminStatus(r.stdout);
  for (const e of entries) {
    const originPath = `${deploymentDir(sysroot, e.osName, e.checksum, e.serial)}.origin`;
    const text = await readFile(originPath, 'utf8').catch(() => null);
    if (text !== null) {
      const origin = parseOriginFile(text);
      if (origin.refspec) e.refspec = origin.refspec;
      e.pinned = e.pinned || origin.pinned;
    }
    const v = await commitVersion(join(sysroot, 'ostree', 'repo'), e.checksum, signal);
    if (v !== undefined) e.version = v;
  }
  return entries;
}

/** The model's shape, with the rollback target of OSNAME marked. */
export function toOsDeployments(entries: readonly StatusEntry[], osName: string): OsDeployment[] {
  const target = rollbackTarget(entries, osName);
  return entries.map((e) => ({
    index: e.index,
    osName: e.osName,
    checksum: e.checksum,
    ...(e.version !== undefined ? { version: e.version } : {}),
    ...(e.refspec !== undefined ? { origin: e.refspec } : {}),
    booted: e.booted,
    staged: e.staged,
    pinned: e.pinned,
    rollbackTarget: target.kind === 'target' && target.index === e.index,
  }));
}
