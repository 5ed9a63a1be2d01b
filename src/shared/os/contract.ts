import { z } from 'zod';
import { domain, job, method, produced } from '../ipc/define';
import { meteredParams } from '../network/metered';
import { absolutePath } from '../paths';
import {
  OS_BACKENDS,
  type OsApplyResult,
  type OsBackendName,
  type OsRollbackResult,
  type OsState,
} from './model';

// Issue 9, OS updates: the offline reads the page, the home card and the tray need (methods), and the five jobs
// (check, apply, rollback, pin, repair). Every job touches the installed system, so every one runs in the
// privileged helper, whose authorizer (src/main/helper/authorize.ts) re-checks each parameter. The page never
// names a root: main takes the target from its own config (api/os-handlers.ts); the page only says "check",
// "apply", "pin deployment 2", and the person's yes to a metered download.

export const osBackendName = z.enum(OS_BACKENDS);

/**
 * An ostree stateroot (`--os NAME`): a plain name, never a path or an option. Starting with a letter or digit
 * rules out `.`, `..` and `-x`; no slash can appear.
 */
export const osStateroot = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a stateroot name: letters, digits and . _ - only');

/** A deployment's position as `ostree admin status` lists them. No system keeps more than a handful. */
export const osDeploymentIndex = z.number().int().min(0).max(63);

/** Seconds to wait for the package manager's lock before saying who holds it. */
export const osLockTimeout = z.number().int().min(0).max(3600);
export const OS_LOCK_TIMEOUT_DEFAULT = 120;

/**
 * Which system a job works on. backend absent: detected where the job runs (core/os/detect.ts), so the helper
 * judges the real machine. root / sysroot other than / are for the CLI (a chroot, a mounted image, the tests'
 * throwaway root); the helper accepts them only for an invoking user who is root (helper/README.md).
 */
export const osTargetParams = {
  backend: osBackendName.optional(),
  root: absolutePath.default('/'),
  sysroot: absolutePath.default('/'),
  osName: osStateroot.optional(),
  lockTimeoutSeconds: osLockTimeout.default(OS_LOCK_TIMEOUT_DEFAULT),
};

/** check and apply download (metadata, packages, a deployment): they carry the metered gate's fields. */
export const osCheckParams = z.strictObject({ ...osTargetParams, ...meteredParams });
export const osApplyParams = z.strictObject({ ...osTargetParams, ...meteredParams });
export const osRollbackParams = z.strictObject(osTargetParams);
export const osPinParams = z.strictObject({
  ...osTargetParams,
  index: osDeploymentIndex,
  pinned: z.boolean(),
});
/** apt: `dpkg --configure -a` after an interrupted apply; the others answer OS_REPAIR_NOT_SUPPORTED. */
export const osRepairParams = z.strictObject(osTargetParams);

export type OsTargetParams = z.output<z.ZodObject<typeof osTargetParams>>;
export type OsCheckParams = z.output<typeof osCheckParams>;
export type OsApplyParams = z.output<typeof osApplyParams>;
export type OsPinParams = z.output<typeof osPinParams>;

/** How the last check ended, kept by main (and the CLI) in its state dir: core/os/state-store.ts. */
export interface OsCheckOutcome {
  at: string;
  ok: boolean;
  /** The error's code and headline when it failed (NETWORK_METERED when a background check was skipped). */
  error?: { code: string; message: string; detail?: string };
  /** background: the scheduler; user: "check now", the CLI. */
  by: 'background' | 'user';
}

/** The numbers the tray badge, the home card and the page header show, from the last known state. */
export interface OsBadge {
  updates: number;
  security: number;
  rebootRequired: boolean;
  /** A half-applied update (apt) that `repair` fixes. */
  interrupted: boolean;
  /** No check has succeeded for this long (OS_CHECK_OVERDUE_DAYS): the tray warns. */
  checkOverdue: boolean;
}

export const OS_CHECK_OVERDUE_DAYS = 7;

/** What the page, the home card and the tray read, offline: nothing here touches the network or needs root. */
export interface OsOverview {
  /** The last state a check, a status read, an apply or a pin returned; absent before the first. */
  state?: OsState;
  /** Where the last state came from: a network check, or an offline status read. */
  stateFrom?: 'check' | 'status' | 'apply' | 'rollback' | 'pin' | 'repair';
  lastCheck?: OsCheckOutcome;
  /** ISO time of the last check that succeeded. */
  lastSuccessAt?: string;
  badge: OsBadge;
  /** The backend main works with: the setting's choice, else what detect.ts found; absent when neither. */
  backend?: { name: OsBackendName; how: 'forced' | 'detected'; why: string };
  /** Why no backend was found (OS_BACKEND_NOT_DETECTED's detail), for the page to say. */
  backendProblem?: string;
  /** What the target is: main's own config, shown, never chosen by the page. */
  target: { root: string; sysroot: string; osName?: string };
  schedule: {
    intervalHours: number;
    /** Background checks on a metered network (the setting osCheckOnMetered). */
    onMetered: boolean;
    /** When the next background check is due (ISO), absent when it is due now. */
    nextAt?: string;
  };
}

export const osContract = domain({
  methods: {
    /** The last known state and check outcome, the badge numbers, the backend and the schedule (offline). */
    overview: method(z.tuple([]), produced<OsOverview>()),
    /** Re-read the state offline (release, deployments, reboot-required, interrupted apply), unprivileged. */
    refresh: method(z.tuple([]), produced<OsOverview>()),
    /** "Check now": the person asked, so the interval does not apply; the metered gate does (allowMetered). */
    check: method(
      z.tuple([z.strictObject({ allowMetered: z.boolean().default(false) })]),
      produced<{ jobId: string }>(),
    ),
    apply: method(
      z.tuple([z.strictObject({ allowMetered: z.boolean().default(false) })]),
      produced<{ jobId: string }>(),
    ),
    rollback: method(z.tuple([]), produced<{ jobId: string }>()),
    pin: method(
      z.tuple([z.strictObject({ index: osDeploymentIndex, pinned: z.boolean() })]),
      produced<{ jobId: string }>(),
    ),
    repair: method(z.tuple([]), produced<{ jobId: string }>()),
  },
  jobs: {
    'os-check': job({
      title: 'Check for OS updates',
      host: 'helper',
      params: osCheckParams,
      result: produced<OsState>(),
    }),
    'os-apply': job({
      title: 'Apply OS updates',
      host: 'helper',
      params: osApplyParams,
      result: produced<OsApplyResult>(),
    }),
    'os-rollback': job({
      title: 'Roll back the OS',
      host: 'helper',
      params: osRollbackParams,
      result: produced<OsRollbackResult>(),
    }),
    'os-pin': job({
      title: 'Pin or unpin an OS deployment',
      host: 'helper',
      params: osPinParams,
      result: produced<OsState>(),
    }),
    'os-repair': job({
      title: 'Repair an interrupted OS update',
      host: 'helper',
      params: osRepairParams,
      result: produced<OsState>(),
    }),
  },
});
