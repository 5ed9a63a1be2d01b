// Issue 10: the fleet model. A kernel workspace (a git repo) holds fleet/<host>.yaml and
// patches/<scope>/<series>/NNNN-*.patch. Pure types: the schema and its file:line:column errors live in
// src/main/core/kernel/fleet-manifest.ts.

export const PATCH_SCOPES = ['soc', 'driver', 'board', 'module', 'subsystem', 'arch'] as const;
export type PatchScope = (typeof PATCH_SCOPES)[number];

export type PackageKind = 'pacman' | 'deb';
export type Bootloader = 'extlinux' | 'grub' | 'systemd-boot';
export type InitramfsTool = 'mkinitcpio' | 'update-initramfs' | 'dracut';

export interface HostManifest {
  host: string;
  /** uname -m spelling: aarch64, x86_64, ... */
  arch: string;
  baseline: { repo: string; ref: string };
  /** Series folders under patches/, as `<scope>/<series>`. */
  includes: string[];
  apply_order: PatchScope[];
  package: {
    kind: PackageKind;
    pkgbase: string;
    pkgver: string;
    pkgrel: number;
    _srctag: string;
    /** Packaging template, relative to the workspace; unset: the shipped templates/kernel/PKGBUILD.in. */
    template?: string;
    /** gpg key (fingerprint or id) to sign the package with; unset: unsigned. */
    sign_key?: string;
    /** The package repository's name (repo-add's <name>.db.tar.gz); unset: kintsugi-kernel. */
    repo_name?: string;
  };
  install: { bootloader: Bootloader; initramfs: InitramfsTool };
}

/** Where a host's kernel stands on one root (kintsugi kernel status). */
export type KernelInstallState =
  'not-installed' | 'installed' | 'pending-heartbeat' | 'confirmed' | 'rolled-back';
