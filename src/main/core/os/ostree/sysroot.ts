import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';

// The two choices a caller makes, checked before ostree runs: the system root (`ostree admin --sysroot`) and the
// stateroot (`--os`). ostree's own messages for a wrong one ("opendir(ostree/repo): No such file or directory",
// "No previous deployment for OS 'x'") do not say what to do, so we say it first.

/** A stateroot name as ostree accepts it: one path component. */
const OS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export async function checkSysroot(sysroot: string): Promise<void> {
  if (!isAbsolute(sysroot))
    throw new KintsugiError('INVALID_ARGUMENT', `sysroot must be an absolute path, got "${sysroot}"`);
  for (const sub of ['ostree/repo', 'ostree/deploy']) {
    const st = await stat(join(sysroot, sub)).catch(() => null);
    if (!st?.isDirectory())
      throw new KintsugiError('OS_NOT_OSTREE_SYSROOT', `${sysroot} has no ${sub} folder`);
  }
}

/** The stateroots present: the folders under ostree/deploy. */
export async function stateroots(sysroot: string): Promise<string[]> {
  const entries = await readdir(join(sysroot, 'ostree', 'deploy'), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * The stateroot to act on: the one asked for (it must exist), else the booted one, else the only one. Two or more
 * and none booted is a question only the caller can answer.
 */
export async function resolveStateroot(
  sysroot: string,
  asked: string | undefined,
  bootedOsName: string | undefined,
): Promise<string> {
  const present = await stateroots(sysroot);
  if (asked !== undefined) {
    if (!OS_NAME.test(asked))
      throw new KintsugiError('INVALID_ARGUMENT', `"${asked}" is not a stateroot name (one folder name)`);
    if (!present.includes(asked))
      throw new KintsugiError(
        'OS_UNKNOWN_STATEROOT',
        `no stateroot "${asked}" in ${sysroot}; present: ${present.join(', ') || 'none'}`,
      );
    return asked;
  }
  if (bootedOsName) return bootedOsName;
  if (present.length === 1) return present[0]!;
  if (present.length === 0) throw new KintsugiError('OS_NO_DEPLOYMENT', `${sysroot} has no stateroot yet`);
  throw new KintsugiError('OS_STATEROOT_AMBIGUOUS', `${sysroot} holds ${present.join(', ')}`);
}

export function deploymentDir(sysroot: string, osName: string, checksum: string, serial: number): string {
  return join(sysroot, 'ostree', 'deploy', osName, 'deploy', `${checksum}.${serial}`);
}
