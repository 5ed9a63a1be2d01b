import { join } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';
import type { PackageKind } from '../../../../shared/kernel/model';
import { runTool } from '../../util/run-tool';

// The package manager against ROOT: dpkg with --root/--admindir, pacman with --root/--dbpath (and its cache, hooks
// and log under the root too), so a test root or a chroot never reaches the machine's own database. The argv
// builders are pure (unit-tested); the runners below only execute them.

export interface InstalledPackage {
  version: string;
  /** False when the database holds it half-installed (dpkg unpacked but not configured, say). */
  complete: boolean;
}

export function dbArgs(kind: PackageKind, root: string): string[] {
  return kind === 'deb'
    ? [
        `--root=${root}`,
        `--admindir=${join(root, 'var/lib/dpkg')}`,
        `--log=${join(root, 'var/log/dpkg.log')}`,
      ]
    : [
        '--root',
        root,
        '--dbpath',
        join(root, 'var/lib/pacman'),
        '--cachedir',
        join(root, 'var/cache/pacman/pkg'),
        '--hookdir',
        join(root, 'etc/pacman.d/hooks'),
        '--logfile',
        join(root, 'var/log/pacman.log'),
        '--noconfirm',
      ];
}

/** Install (or downgrade to) a package file. `unpackOnly` is dpkg's first half: the crash seam's half-install. */
export function installArgv(
  kind: PackageKind,
  root: string,
  file: string,
  unpackOnly = false,
): [string, string[]] {
  if (kind === 'deb') return ['dpkg', [...dbArgs(kind, root), unpackOnly ? '--unpack' : '--install', file]];
  return ['pacman', [...dbArgs(kind, root), '--upgrade', file]];
}

export function removeArgv(kind: PackageKind, root: string, name: string): [string, string[]] {
  if (kind === 'deb') return ['dpkg', [...dbArgs(kind, root), '--remove', name]];
  return ['pacman', [...dbArgs(kind, root), '--remove', name]];
}

export async function installedVersion(
  kind: PackageKind,
  root: string,
  name: string,
): Promise<InstalledPackage | null> {
  if (kind === 'deb') {
    const r = await runTool(
      'dpkg-query',
      [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', '${db:Status-Abbrev}|${Version}', name],
      { reject: false },
    );
    const [abbrev = '', version = ''] = r.stdout.trim().split('|');
    // The second letter is the state: n not installed, c only its config left, i installed; anything else
    // (U unpacked, F/H half-configured/installed, W/t trigger-awaiting) is an install that did not finish.
    const state = abbrev[1];
    if (!version || state === undefined || state === 'n' || state === 'c') return null;
    return { version, complete: state === 'i' };
  }
  const r = await runTool('pacman', ['--root', root, '--dbpath', join(root, 'var/lib/pacman'), '-Q', name], {
    reject: false,
  });
  const m = /^\S+\s+(\S+)/.exec(r.stdout.trim());
  return m ? { version: m[1]!, complete: true } : null;
}

/** The files the installed package owns, as absolute paths inside the root (`/boot/...`). */
export async function packageFiles(kind: PackageKind, root: string, name: string): Promise<string[]> {
  const r =
    kind === 'deb'
      ? await runTool('dpkg-query', [`--admindir=${join(root, 'var/lib/dpkg')}`, '-L', name])
      : await runTool('pacman', ['--root', root, '--dbpath', join(root, 'var/lib/pacman'), '-Qlq', name]);
  // pacman prints the paths with the root in front; dpkg prints them as seen from inside the root.
  const inside = (l: string) =>
    kind === 'pacman' && root !== '/' && l.startsWith(`${root}/`) ? l.slice(root.length) : l;
  return r.stdout
    .split('\n')
    .map((l) => inside(l.trim()))
    .filter((l) => l.startsWith('/'));
}

export async function runPackageManager([file, args]: [string, string[]], what: string): Promise<string> {
  try {
    const r = await runTool(file, args, { env: { LC_ALL: 'C' } });
    return r.stdout;
  } catch (err) {
    const e = err as { stderr?: unknown };
    const tail = typeof e.stderr === 'string' ? e.stderr.trim().split('\n').slice(-3).join(' / ') : '';
    throw new KintsugiError('KERNEL_INSTALL_FAILED', `${what}: ${file} failed${tail ? `: ${tail}` : ''}`, {
      cause: err,
    });
  }
}
