import { access, constants, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { OS_BACKENDS, type OsBackendName } from '../../../shared/os/model';
import { exists } from '../util/exists';

// Which OS update system a root uses, decided once here so nothing else branches on it:
//   ostree-booted (<root>/run/ostree-booted) and rpm-ostree on PATH -> rpm-ostree (Fedora Atomic, CoreOS);
//   ostree-booted without it                                         -> ostree (plain ostree, e.g. Endless);
//   a sysroot other than / holding ostree/repo (not the booted one)  -> ostree (rpm-ostree drives the booted system
//                                                                       only, through its daemon);
//   otherwise, with a dpkg database (<root>/var/lib/dpkg/status)     -> apt;
//   otherwise                                                        -> OS_BACKEND_NOT_DETECTED.
// The dpkg check keeps "apt otherwise" from running apt on a root that has no apt at all (an empty directory,
// a mistyped --root): the person hears what was looked for instead of apt's own confusion.

export interface OsDetection {
  name: OsBackendName;
  how: 'forced' | 'detected';
  /** What decided it, for `kintsugi os status` and the log. */
  why: string;
}

export interface DetectOptions {
  /** The system's root: / for this machine, another directory for a chroot or a test root. */
  root: string;
  /** The ostree sysroot (`--sysroot`), / by default. */
  sysroot?: string;
  /** The name the person chose (--backend, the osBackend setting); 'auto' or absent: detect. */
  forced?: string;
  /** Where to look for rpm-ostree; the process's PATH by default. */
  path?: string;
}

export function parseBackendName(name: string): OsBackendName {
  if ((OS_BACKENDS as readonly string[]).includes(name)) return name as OsBackendName;
  throw new KintsugiError(
    'OS_UNKNOWN_BACKEND',
    `${JSON.stringify(name)} is not an OS update backend; the backends are ${OS_BACKENDS.join(', ')}`,
  );
}

export async function detectOsBackend(opts: DetectOptions): Promise<OsDetection> {
  if (opts.forced !== undefined && opts.forced !== 'auto')
    return { name: parseBackendName(opts.forced), how: 'forced', why: 'chosen by name' };
  const marker = join(opts.root, 'run', 'ostree-booted');
  if (await exists(marker)) {
    const rpmOstree = await onPath('rpm-ostree', opts.path ?? process.env['PATH'] ?? '');
    return rpmOstree
      ? { name: 'rpm-ostree', how: 'detected', why: `${marker} exists and ${rpmOstree} is on PATH` }
      : { name: 'ostree', how: 'detected', why: `${marker} exists and rpm-ostree is not on PATH` };
  }
  const sysroot = opts.sysroot ?? '/';
  if (sysroot !== '/' && (await exists(join(sysroot, 'ostree', 'repo'))))
    return {
      name: 'ostree',
      how: 'detected',
      why: `${sysroot} is an ostree sysroot (not the booted system)`,
    };
  const dpkgStatus = join(opts.root, 'var', 'lib', 'dpkg', 'status');
  if (await exists(dpkgStatus))
    return { name: 'apt', how: 'detected', why: `${dpkgStatus} exists and the root is not ostree-booted` };
  throw new KintsugiError('OS_BACKEND_NOT_DETECTED', `${opts.root} has neither ${marker} nor ${dpkgStatus}`);
}

/** The first executable file named NAME in a PATH string (only absolute entries: a relative one depends on cwd). */
export async function onPath(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir.startsWith('/')) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      // A directory is "executable" too (root may enter any): only a file is a command.
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
