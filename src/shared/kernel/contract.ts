import { z } from 'zod';
import { domain, job, method, produced } from '../ipc/define';
import { absolutePath } from '../paths';
import type { HostManifest, KernelInstallState } from './model';
import { hostName } from './tokens';

// Issue 10, the kernel domain: the hosts of a kernel workspace and their fleet manifests (methods), promote (the
// cumulative patch) and build (the package) as jobs. The page names a host; the workspace comes from the
// kernelWorkspace setting in main, never from the page. Both jobs run unprivileged on the utility host: makepkg
// refuses root, and when the process is root anyway the build drops to an unprivileged user (core/kernel/README.md).

export interface PromoteResult {
  host: string;
  patch: string;
  b2File: string;
  /** BLAKE2b-512 of the patch, hex. */
  b2sum: string;
  bytes: number;
  /** `<scope>/<series>/<file>` in the order they were concatenated. */
  patches: string[];
  baseline: { repo: string; ref: string; commit: string; committerTime: number };
  /** Set when --check-against was given and matched (a mismatch fails the job). */
  parity?: 'identical';
  /** git diff --stat's totals over the cumulative patch (core/kernel/diffstat.ts). */
  diffstat: Diffstat;
}

export interface Diffstat {
  files: number;
  insertions: number;
  deletions: number;
}

export interface BuiltPackage {
  file: string;
  sha256: string;
  /** The detached signature, when a key is configured. */
  signature?: string;
}

export interface BuildResult {
  host: string;
  kind: 'pacman' | 'deb';
  promote: PromoteResult;
  packages: BuiltPackage[];
  /** The package repository folder and its index (pacman: <name>.db.tar.gz; deb: Packages). */
  repoDir: string;
  repoDb: string;
  sourceDateEpoch: number;
  /** Pipeline steps run this time and skipped (their checkpoint was already reached). */
  ran: string[];
  skipped: string[];
}

export interface KernelHosts {
  workspace: string;
  hosts: string[];
}

export const promoteParams = z.strictObject({
  workspace: absolutePath,
  host: hostName,
  out: absolutePath.optional(),
  checkAgainst: absolutePath.optional(),
});
export const buildParams = z.strictObject({
  workspace: absolutePath,
  host: hostName,
  /** Where the package repository goes; default out/<host>/repo in the workspace. */
  outDir: absolutePath.optional(),
  /** The unprivileged user makepkg runs as when this process is root; default nobody. */
  buildUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a user name')
    .optional(),
});
/** The install and rollback jobs run as root in the helper; the root is main's own (`/` unless a harness gives a
 * throwaway one, core/services.ts), never the page's, and the helper allows another root only to root. */
export const installParams = z.strictObject({
  workspace: absolutePath,
  host: hostName,
  /** The package the person picked with the native chooser; the helper checks they could read it. */
  packageFile: absolutePath,
  root: absolutePath,
});
export const rollbackParams = z.strictObject({ host: hostName, root: absolutePath });
export type InstallParams = z.output<typeof installParams>;
export type RollbackParams = z.output<typeof rollbackParams>;

/** One host's kernel on main's root, as `kintsugi kernel status` reads it (core/kernel/install/status.ts). */
export interface KernelStatus {
  host: string;
  root: string;
  state: KernelInstallState;
  /** pending-heartbeat past its deadline: needs the person (tray badge, Home card). */
  overdue: boolean;
  /** ISO time the heartbeat is due by. */
  deadline?: string;
  note?: string;
  installedVersion?: string;
  kernelRelease?: string;
  replacedVersion?: string | null;
  backupPath?: string | null;
  heartbeat: { release: string; writtenAt: number } | null;
  /** The manifest's package as the root's package database has it now: what an install would replace (null: not
   * installed; absent: not known, e.g. the manifest does not load). Read-only query. */
  packageVersion?: string | null;
}

export interface KernelInstallResult {
  host: string;
  version: string;
  kernelRelease: string;
  replacedVersion: string | null;
  backupPath: string | null;
  deadline?: string;
  ran: string[];
  skipped: string[];
}

export interface KernelRollbackResult {
  host: string;
  /** Why nothing was done (no install recorded, already rolled back). */
  nothing?: string;
  did: string[];
}

export type PromoteParams = z.output<typeof promoteParams>;
export type BuildParams = z.output<typeof buildParams>;

const hostArg = z.strictObject({ host: hostName });

export const kernelContract = domain({
  methods: {
    /** The hosts of the configured workspace (fleet/<host>.yaml). */
    hosts: method(z.tuple([]), produced<KernelHosts>()),
    /** One host's manifest, validated (KERNEL_MANIFEST_INVALID lists file:line:column problems). */
    manifest: method(z.tuple([hostArg]), produced<HostManifest>()),
    promote: method(z.tuple([hostArg]), produced<{ jobId: string }>()),
    build: method(z.tuple([hostArg]), produced<{ jobId: string }>()),
    /** The host's install state on main's root (offline, unprivileged: reads the record and the heartbeat). */
    status: method(z.tuple([hostArg]), produced<KernelStatus>()),
    /** Hosts with an install waiting past its heartbeat deadline (the tray and Home); [] without a workspace. */
    overdue: method(z.tuple([]), produced<string[]>()),
    install: method(
      z.tuple([z.strictObject({ host: hostName, packageFile: absolutePath })]),
      produced<{ jobId: string }>(),
    ),
    rollback: method(z.tuple([hostArg]), produced<{ jobId: string }>()),
  },
  jobs: {
    'kernel.promote': job({
      title: 'Promote a kernel patch series',
      host: 'utility',
      params: promoteParams,
      result: produced<PromoteResult>(),
    }),
    'kernel.build': job({
      title: 'Build a kernel package',
      host: 'utility',
      params: buildParams,
      result: produced<BuildResult>(),
    }),
    'kernel.install': job({
      title: 'Install a kernel package',
      host: 'helper',
      params: installParams,
      result: produced<KernelInstallResult>(),
    }),
    'kernel.rollback': job({
      title: 'Roll back a kernel install',
      host: 'helper',
      params: rollbackParams,
      result: produced<KernelRollbackResult>(),
    }),
  },
});
