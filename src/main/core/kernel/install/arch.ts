import { KintsugiError } from '../../../../shared/errors';
import type { PackageKind } from '../../../../shared/kernel/model';

// A host manifest spells its arch as `uname -m` does; Debian packages use their own names. A kernel package for
// every arch ('all', 'any') is no kernel package: refused like a foreign one.

const DEB_ARCH: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  armv7l: 'armhf',
  i686: 'i386',
  riscv64: 'riscv64',
  ppc64le: 'ppc64el',
  s390x: 's390x',
};

/** The package architecture a host of `unameArch` needs, in the package manager's spelling. */
export function packageArchFor(kind: PackageKind, unameArch: string): string {
  if (kind === 'pacman') return unameArch;
  const deb = DEB_ARCH[unameArch];
  if (!deb)
    throw new KintsugiError('INVALID_ARGUMENT', `no Debian architecture is known for ${unameArch}`, {
      hint: 'Use the uname -m spelling in the fleet manifest (x86_64, aarch64, ...).',
    });
  return deb;
}

export function checkPackageArch(
  kind: PackageKind,
  packageArch: string,
  hostArch: string,
  file: string,
): void {
  const want = packageArchFor(kind, hostArch);
  if (packageArch !== want)
    throw new KintsugiError(
      'KERNEL_INSTALL_WRONG_ARCH',
      `${file} is for ${packageArch || '(no architecture)'}; this host (${hostArch}) needs ${want}`,
    );
}
