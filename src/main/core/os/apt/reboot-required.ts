import type { OsRebootState } from '../../../../shared/os/model';
import { readUnderRoot } from '../under-root';

// Debian's reboot flag: a package's postinst (or unattended-upgrades) touches /var/run/reboot-required and appends
// its name to /var/run/reboot-required.pkgs. /var/run is a link to /run on current systems; read under the root.

export async function readRebootRequired(root: string): Promise<OsRebootState> {
  for (const dir of ['/var/run', '/run']) {
    const flag = await readUnderRoot(root, `${dir}/reboot-required`);
    if (flag === undefined) continue;
    const pkgs = (await readUnderRoot(root, `${dir}/reboot-required.pkgs`)) ?? '';
    const why = [
      ...new Set(
        pkgs
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      ),
    ];
    return { required: true, why };
  }
  return { required: false, why: [] };
}
