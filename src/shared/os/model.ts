// Issue 9: one update model over apt, ostree and rpm-ostree. Every backend answers in these shapes, so the CLI,
// the OS page, the home card and the tray read one thing. Pure types: no node:, no electron.

export const OS_BACKENDS = ['apt', 'ostree', 'rpm-ostree'] as const;
export type OsBackendName = (typeof OS_BACKENDS)[number];

/** /etc/os-release (under the backend's root), plus a vendor release file when one exists. */
export interface OsRelease {
  /** ID= */
  id?: string;
  /** PRETTY_NAME=, else NAME= VERSION= */
  prettyName: string;
  /** VERSION_ID= */
  versionId?: string;
  /** e.g. /etc/kintsugi-release, /etc/debian_version: the file's first line. */
  vendor?: { file: string; text: string };
}

/**
 * Where an update goes in a two-phase apply: userspace first, then kernel and initramfs (apt installs them last so
 * a kernel never lands without its initramfs tools). ostree/rpm-ostree updates are a whole deployment: 'image'.
 */
export type OsUpdateKind = 'userspace' | 'kernel' | 'image';

export interface OsUpdate {
  /** Package name, or for ostree the ref / for rpm-ostree the package in the rpm-diff. */
  name: string;
  /** The installed version; absent for a package the update newly installs. */
  from?: string;
  /** The version the update brings; absent for a package the update removes (rpm-ostree's rpm-diff "removed": the
   * new deployment no longer has it). Never both absent. */
  to?: string;
  security: boolean;
  kind: OsUpdateKind;
  /** Bytes to download, when the backend can tell (apt --print-uris). */
  downloadBytes?: number;
  /** rpm-ostree advisories (ids), apt origin/suite: where the security flag came from. */
  source?: string;
  /** ostree / rpm-ostree image updates: the commits behind `from` and `to` (versions are labels; these are exact). */
  fromChecksum?: string;
  toChecksum?: string;
}

/** An update that installs a version: every apt and ostree update (apt's plan, pins and rollback need `to`). */
export type OsUpgrade = OsUpdate & { to: string };

export interface OsDeployment {
  /** Position in the bootloader order, 0 = the default at next boot (as `ostree admin status` prints them). */
  index: number;
  osName: string;
  checksum: string;
  version?: string;
  origin?: string;
  booted: boolean;
  staged: boolean;
  pinned: boolean;
  /** The deployment before the booted one that a rollback would make the default. */
  rollbackTarget: boolean;
}

export interface OsRebootState {
  required: boolean;
  /** apt: /var/run/reboot-required.pkgs; ostree: a staged or pending deployment's version. */
  why: string[];
}

/** A half-applied update found at the next check (dpkg --audit), with the fix the app offers. */
export interface OsInterrupted {
  detail: string;
  fix: string;
}

/** What `status` answers (no network) and `check` refreshes (network). */
export interface OsState {
  backend: OsBackendName;
  release: OsRelease;
  /** apt: the running kernel package + os-release version; ostree: the booted deployment's version or checksum. */
  currentVersion: string;
  /** The OS-relevant updates only (apt: the curated list). */
  updates: OsUpdate[];
  /** apt: upgradable packages outside the curated list, shown as "not OS updates" and left alone. */
  notOsUpdates: { name: string; from?: string; to: string }[];
  deployments: OsDeployment[];
  reboot: OsRebootState;
  interrupted?: OsInterrupted;
  /** rpm-ostree: an active transaction (the app waits for it instead of failing). */
  transaction?: { title: string; initiator?: string };
  /** ISO time of the check these updates come from; absent when never checked. */
  checkedAt?: string;
  /** The backend says its answer may be out of date (rpm-ostree's cached-update). */
  stale?: boolean;
}

export interface OsApplyResult {
  backend: OsBackendName;
  /** What was replaced, name from → to, in the order applied. */
  applied: OsUpdate[];
  /** Hooks run after the kernel phase (update-initramfs -u, update-grub), or why none ran (root is not /). */
  hooks: string[];
  reboot: OsRebootState;
  /** apt: where the replaced versions were recorded for rollback. */
  rollbackRecord?: string;
}

export interface OsRollbackResult {
  backend: OsBackendName;
  /** What was done, in words ("reinstalled systemd 1.0 (was 1.1)", "deployment 1 is now the default"). */
  actions: string[];
  /** apt rollback is best effort: said plainly. */
  caveats: string[];
  reboot: OsRebootState;
}
