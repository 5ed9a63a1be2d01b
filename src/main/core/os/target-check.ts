import { realpath, stat } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import {
  osDeploymentIndex,
  osLockTimeout,
  osStateroot,
  type OsTargetParams,
} from '../../../shared/os/contract';
import { parseBackendName } from './detect';

// The privileged helper's rule for an OS job's target, every field checked here on its own (not trusting that
// the request was parsed before): the helper runs the target returned, with root and sysroot as real paths.
//
// Whose system: the helper is root on behalf of a desktop user, and apt/dpkg run maintainer scripts as root
// inside the root they are given (ostree likewise writes boot entries for a sysroot). A root the user owns
// (a chroot they built) would let them have root run their own scripts or plant setuid files there. So the
// helper updates this machine's own system, / and /, for anyone polkit lets in; any other root or sysroot only
// for an invoking user who is root already (who could run the CLI as root anyway). The page never sends a root:
// main takes it from its own config (api/os-handlers.ts).

const bad = (detail: string) => new KintsugiError('INVALID_ARGUMENT', detail);

async function realDirectory(path: string, role: string): Promise<string> {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0'))
    throw bad(`${role} must be an absolute path`);
  const real = await realpath(path).catch(() => null);
  if (!real || !(await stat(real)).isDirectory())
    throw bad(`${role} ${path} does not exist or is not a directory`);
  return real;
}

export function checkDeploymentIndex(index: unknown): number {
  const r = osDeploymentIndex.safeParse(index);
  if (!r.success) throw bad(`deployment index ${JSON.stringify(index)}: a whole number from 0 to 63`);
  return r.data;
}

/** The target as the helper will run it, or a refusal naming the field. `uid` is the invoking user. */
export async function checkOsTarget<P extends OsTargetParams>(p: P, uid: number): Promise<P> {
  const backend = p.backend === undefined ? undefined : parseBackendName(String(p.backend));
  if (p.osName !== undefined && !osStateroot.safeParse(p.osName).success)
    throw bad(`stateroot ${JSON.stringify(p.osName)}: a plain name (letters, digits, . _ -), not a path`);
  if (!osLockTimeout.safeParse(p.lockTimeoutSeconds).success)
    throw bad(`lock timeout ${JSON.stringify(p.lockTimeoutSeconds)}: whole seconds from 0 to 3600`);
  const root = await allowedRoot(p.root, 'root', uid);
  const sysroot = await allowedRoot(p.sysroot, 'sysroot', uid);
  return { ...p, ...(backend ? { backend } : {}), root, sysroot };
}

/** A root the helper may change for uid: an existing directory, by its real path, and `/` unless uid is root (the
 * rule above; the kernel install and rollback jobs use it too). */
export async function allowedRoot(path: string, role: string, uid: number): Promise<string> {
  const real = await realDirectory(path, role);
  if (real !== '/' && uid !== 0)
    throw new KintsugiError(
      'OS_TARGET_NOT_ALLOWED',
      `${role} ${real} is not this machine's own /: the helper updates another system only for root (you are uid ${uid})`,
    );
  return real;
}
