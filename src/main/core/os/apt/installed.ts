import { release } from 'node:os';
import type { OsRelease } from '../../../../shared/os/model';
import type { JobContext } from '../../jobs/context';
import { throwIfAptFailed } from './apt-errors';
import { runApt } from './apt-run';
import type { AptTarget } from './apt-target';

// What the root's dpkg database says is installed, and the "current version" line built from it: on the running
// system the kernel package of `uname -r`; on another root (an image, a chroot) nothing there runs, so the newest
// installed linux-image-* package stands for it.

export async function installedVersions(target: AptTarget, ctx: JobContext): Promise<Map<string, string>> {
  const run = await runApt(
    target,
    'dpkg-query',
    [`--admindir=${target.admindir}`, '-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Version}\n'],
    ctx,
  );
  await throwIfAptFailed(run, target);
  return parseInstalled(run.stdout);
}

/** `ii \tNAME\tVERSION` lines -> name -> version, for packages whose files are there (i = installed, half-* too). */
export function parseInstalled(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [abbrev, name, version] = line.split('\t');
    // Second letter: i installed, U unpacked, F half-configured, H half-installed, W/t triggers pending.
    if (name && version && /^.[iUFHWt]/.test(abbrev ?? '')) out.set(name, version);
  }
  return out;
}

export function currentVersionLine(
  root: string,
  rel: OsRelease,
  installed: ReadonlyMap<string, string>,
  runningKernel: string = release(),
): string {
  const os = rel.versionId
    ? `${rel.prettyName.includes(rel.versionId) ? rel.prettyName : `${rel.prettyName} ${rel.versionId}`}`
    : rel.prettyName;
  let kernel: string | undefined;
  if (root === '/' && installed.has(`linux-image-${runningKernel}`))
    kernel = `linux-image-${runningKernel} ${installed.get(`linux-image-${runningKernel}`)}`;
  else {
    const images = [...installed.keys()]
      .filter((n) => /^linux-image-\d/.test(n))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const newest = images.at(-1);
    if (newest) kernel = `${newest} ${installed.get(newest)}`;
  }
  return kernel ? `${os}; kernel ${kernel}` : os;
}
