import type { OsApplyResult, OsBackendName, OsRollbackResult, OsState } from '../../../shared/os/model';
import type { JobContext } from '../jobs/context';

// The one interface the three OS backends implement (apt/, ostree/, rpm-ostree/). The CLI, the jobs and the
// background check pick a backend with detect.ts and never branch on its name beyond that.

export interface OsBackendOptions {
  /** apt: another root (a mounted image, a chroot, the tests' throwaway root). Boot hooks run only when it is /. */
  root: string;
  /** ostree: the sysroot (`ostree admin --sysroot`), default /. */
  sysroot: string;
  /** ostree: the stateroot (`--os`); default the booted one, else the only one. */
  osName?: string;
  /** Seconds to wait for the dpkg lock (DPkg::Lock::Timeout) before reporting who holds it. */
  lockTimeoutSeconds: number;
  /** Where the backend keeps its own records (apt rollback versions), under the app's state dir. */
  stateDir: string;
}

export interface OsBackend {
  readonly name: OsBackendName;
  /** Offline: release, current version, deployments, reboot-required, an interrupted apply; updates as last checked. */
  status(ctx: JobContext): Promise<OsState>;
  /** Refresh metadata over the network, then list the updates. */
  check(ctx: JobContext): Promise<OsState>;
  apply(ctx: JobContext): Promise<OsApplyResult>;
  rollback(ctx: JobContext): Promise<OsRollbackResult>;
  /** ostree / rpm-ostree only: pin or unpin deployment `index`. apt throws OS_NOT_SUPPORTED. */
  pin(ctx: JobContext, index: number, pinned: boolean): Promise<OsState>;
  /**
   * apt only (optional): finish an interrupted apply (`dpkg --configure -a` under the root, then status). A
   * backend without it answers OS_REPAIR_NOT_SUPPORTED (core/os/jobs.ts): ostree deployments are atomic.
   */
  repair?(ctx: JobContext): Promise<OsState>;
}

export type OsBackendFactory = (opts: OsBackendOptions) => OsBackend;
