import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HostManifest } from '../../src/shared/kernel/model';
import { buildDeb } from './apt-root';

// A throwaway root with its own dpkg database and an older kernel package already installed in it (so an install
// has something to back up), and kernel .debs built here with dpkg-deb: /boot/vmlinuz-<release>, a System.map
// and usr/lib/modules/<release>/ files. The HostManifest objects are built directly: the fleet loader is another
// branch's (issue 10), and these tests are about the install, not the YAML.

export const PKG = 'linux-kintsugi';

export function manifest(host: string, over: Partial<HostManifest> = {}): HostManifest {
  return {
    host,
    arch: 'x86_64',
    baseline: { repo: 'https://example.invalid/linux.git', ref: 'v6.6' },
    includes: [],
    apply_order: ['soc', 'driver', 'board', 'module', 'subsystem', 'arch'],
    package: { kind: 'deb', pkgbase: PKG, pkgver: '6.6.2', pkgrel: 1, _srctag: 'v6.6.2' },
    install: { bootloader: 'grub', initramfs: 'update-initramfs' },
    ...over,
  };
}

export interface KernelDeb {
  file: string;
  release: string;
  /** The package's files by path under the root, with their bytes. */
  files: Record<string, Buffer>;
}

/** A kernel .deb; `vmlinuzBytes` sizes the image (a /boot that lacks room needs a large one). */
export async function kernelDeb(
  dir: string,
  o: { version: string; release: string; architecture?: string; vmlinuzBytes?: number },
): Promise<KernelDeb> {
  const files: Record<string, Buffer> = {
    [`boot/vmlinuz-${o.release}`]: randomBytes(o.vmlinuzBytes ?? 4096),
    [`boot/System.map-${o.release}`]: Buffer.from(`map of ${o.release}\n`),
    [`usr/lib/modules/${o.release}/kernel/drivers/kintsugi.ko`]: randomBytes(2048),
    [`usr/lib/modules/${o.release}/modules.dep`]: Buffer.from(`kernel/drivers/kintsugi.ko:\n`),
  };
  const file = await buildDeb(join(dir, `deb-${o.version}-${o.architecture ?? 'amd64'}`), {
    name: PKG,
    version: o.version,
    architecture: o.architecture ?? 'amd64',
    files,
  });
  return { file, release: o.release, files };
}

/** Refuses any root that is not a fresh folder under the temp dir: dpkg must never reach the machine's own. */
export function assertThrowaway(root: string): void {
  const r = resolve(root);
  if (r === '/' || !r.startsWith(resolve(tmpdir()) + '/'))
    throw new Error(`refusing: ${r} is not a throwaway root under ${tmpdir()}`);
}

export const dpkgArgs = (root: string) => [`--root=${root}`, `--admindir=${join(root, 'var/lib/dpkg')}`];

export interface KernelRoot {
  dir: string;
  root: string;
  old: KernelDeb;
  /** The initramfs a trigger would have built for the old release (no package owns it). */
  oldInitrd: Buffer;
}

/**
 * DIR/root with OLD installed by dpkg, its initrd in /boot, and (keepArchive) the old .deb in the root's apt
 * cache, where the rollback finds it to downgrade. `beforeInstall` runs on the empty root (mount a tmpfs on boot).
 */
export async function kernelRoot(
  o: { keepArchive?: boolean; beforeInstall?: (root: string) => Promise<void> } = {},
): Promise<KernelRoot> {
  const dir = await mkdtemp(join(tmpdir(), 'kintsugi-kernel-'));
  const root = join(dir, 'root');
  assertThrowaway(root);
  for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/log', 'boot', 'var/cache/apt/archives'])
    await mkdir(join(root, d), { recursive: true });
  await writeFile(join(root, 'var/lib/dpkg/status'), '');
  await o.beforeInstall?.(root);
  const old = await kernelDeb(dir, { version: '6.6.1-1', release: '6.6.1-kintsugi' });
  await execa('dpkg', [...dpkgArgs(root), '--install', old.file], { env: { LC_ALL: 'C' } });
  const oldInitrd = randomBytes(3000);
  await writeFile(join(root, `boot/initrd.img-${old.release}`), oldInitrd);
  if (o.keepArchive !== false)
    await copyFile(old.file, join(root, 'var/cache/apt/archives', `${PKG}_6.6.1-1_amd64.deb`));
  return { dir, root, old, oldInitrd };
}

/** `<name> <version> <status>` of the kernel package in the root's dpkg database, or '' when it has none. */
export async function dpkgState(root: string): Promise<string> {
  const r = await execa(
    'dpkg-query',
    [
      `--admindir=${join(root, 'var/lib/dpkg')}`,
      '-W',
      '-f',
      '${Package} ${Version} ${db:Status-Abbrev}',
      PKG,
    ],
    { reject: false },
  );
  return r.stdout.trim();
}

export const dpkgStatusFile = (root: string) => readFile(join(root, 'var/lib/dpkg/status'), 'utf8');

/** A kernel package for pacman: .PKGINFO plus the same kind of files, as a .pkg.tar.zst (GNU tar + zstd). */
export async function kernelPkg(
  dir: string,
  o: { version: string; release: string; arch?: string },
): Promise<KernelDeb> {
  const files: Record<string, Buffer> = {
    [`boot/vmlinuz-${PKG}`]: randomBytes(4096),
    [`usr/lib/modules/${o.release}/vmlinuz`]: randomBytes(4096),
    [`usr/lib/modules/${o.release}/kernel/drivers/kintsugi.ko`]: randomBytes(2048),
  };
  const build = join(dir, `pkg-${o.version}`);
  for (const [p, bytes] of Object.entries(files)) {
    await mkdir(join(build, p, '..'), { recursive: true });
    await writeFile(join(build, p), bytes);
  }
  await writeFile(
    join(build, '.PKGINFO'),
    `pkgname = ${PKG}\npkgbase = ${PKG}\npkgver = ${o.version}\npkgdesc = fake kernel\nbuilddate = 1\npackager = tests\nsize = 10240\narch = ${o.arch ?? 'x86_64'}\n`,
  );
  const file = join(dir, `${PKG}-${o.version}-${o.arch ?? 'x86_64'}.pkg.tar.zst`);
  await execa('tar', ['--zstd', '-cf', file, '-C', build, '.PKGINFO', 'boot', 'usr']);
  return { file, release: o.release, files };
}

export const pacmanDb = (root: string) => ['--root', root, '--dbpath', join(root, 'var/lib/pacman')];

/** A throwaway root with its own pacman database and OLD installed, its package file kept in the root's cache. */
export async function pacmanRoot(): Promise<KernelRoot> {
  const dir = await mkdtemp(join(tmpdir(), 'kintsugi-kernel-pacman-'));
  const root = join(dir, 'root');
  assertThrowaway(root);
  for (const d of ['var/lib/pacman', 'var/cache/pacman/pkg', 'var/log', 'boot'])
    await mkdir(join(root, d), { recursive: true });
  const old = await kernelPkg(dir, { version: '6.6.1-1', release: '6.6.1-kintsugi' });
  await execa('pacman', [
    ...pacmanDb(root),
    '--noconfirm',
    '--logfile',
    join(root, 'var/log/pacman.log'),
    '-U',
    old.file,
  ]);
  const oldInitrd = randomBytes(3000);
  await writeFile(join(root, `boot/initramfs-${PKG}.img`), oldInitrd);
  await copyFile(old.file, join(root, 'var/cache/pacman/pkg', `${PKG}-6.6.1-1-x86_64.pkg.tar.zst`));
  return { dir, root, old, oldInitrd };
}

export async function pacmanVersion(root: string): Promise<string> {
  const r = await execa('pacman', [...pacmanDb(root), '-Q', PKG], { reject: false });
  return r.stdout.trim();
}
