import type { OsRelease } from '../../../../shared/os/model';
import { readDeploymentOsRelease } from '../ostree/os-release-local';
import { deploymentDir } from '../ostree/sysroot';
import type { RpmOstreeDeployment } from './status-json';

/** The os-release of DEPLOYMENT (its own folder under the sysroot), else the sysroot's /etc one. */
export async function releaseOf(sysroot: string, d: RpmOstreeDeployment): Promise<OsRelease> {
  const own = await readDeploymentOsRelease(deploymentDir(sysroot, d.osname, d.checksum, d.serial ?? 0));
  if (own.id !== undefined || own.versionId !== undefined) return own;
  return readDeploymentOsRelease(sysroot);
}
