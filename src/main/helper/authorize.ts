import { refuseDestOnDrive } from '../core/backup/dest-drive';
import { KintsugiError } from '../../shared/errors';
import { checkSystemInstall, checkSystemUninstall } from '../core/frameworks/system-checks';
import { processTools } from '../core/frameworks/tools';
import type { ParsedJobRequest } from '../core/jobs/request';
import {
  checkedDrive,
  userBackup,
  userCheckableBackup,
  userOwnedDirectory,
  userReadableFile,
  type CheckDrive,
} from './param-checks';
import { isHelperJob, type HelperJobType } from './jobs';
import { checkLinkRequest } from '../core/repo/link-request-check';
import { realDataRoot } from '../core/schedule/data-root-check';
import { allowedRoot, checkDeploymentIndex, checkOsTarget } from '../core/os/target-check';
import { checkKernelHost } from '../core/kernel/host-check';

// Per-job authorization: the one place that says which root verbs the helper runs and what makes each parameter
// safe to run as root for this user. The helper runs the job returned here, every path replaced by its canonical
// form (real path, kernel device name), never the one it was sent: what was checked is what runs.
// The table is keyed by every helper job type, so a helper job without an authorizer does not compile.

export interface AuthorizeContext {
  /** The invoking user (invoker.ts). */
  uid: number;
  checkDrive: CheckDrive;
}

type Job<T extends HelperJobType> = Extract<ParsedJobRequest, { type: T }>;
type Authorizer<T extends HelperJobType> = (job: Job<T>, ctx: AuthorizeContext) => Promise<Job<T>>;

const FOLDERS_WITH_SUDO =
  'Folders and image files are backed up and restored by the command line as root: `sudo kintsugi backup|restore ...`.';

/** flash and verify-drive: an image (and .bmap) the user could read, written to / compared with a safe drive. */
async function imageOntoDrive<
  P extends { image: string; device: string; includeLoop: boolean; bmap?: string },
>(p: P, role: string, ctx: AuthorizeContext): Promise<P> {
  const image = await userReadableFile(p.image, 'image', ctx.uid, 'IMAGE_NOT_FOUND');
  const bmap = p.bmap ? await userReadableFile(p.bmap, 'bmap', ctx.uid, 'IMAGE_NOT_FOUND') : undefined;
  const device = await checkedDrive(
    p.device,
    role,
    { includeLoop: p.includeLoop, imagePath: image },
    ctx.checkDrive,
    'Choose the drive itself, e.g. /dev/sdb.',
  );
  return { ...p, image, device, ...(bmap ? { bmap } : {}) };
}

const AUTHORIZERS: { [T in HelperJobType]: Authorizer<T> } = {
  flash: async (job, ctx) => ({ ...job, params: await imageOntoDrive(job.params, 'flash target', ctx) }),
  'verify-drive': async (job, ctx) => ({
    ...job,
    params: await imageOntoDrive(job.params, 'drive to verify', ctx),
  }),

  // A drive's persistence store, copied into a new folder of a directory the user owns on another disk.
  backup: async (job, ctx) => {
    const p = job.params;
    const destRoot = await userOwnedDirectory(p.destRoot, 'backup destination', ctx.uid);
    const source = await checkedDrive(
      p.source,
      'backup source',
      { includeLoop: p.includeLoop },
      ctx.checkDrive,
      FOLDERS_WITH_SUDO,
    );
    await refuseDestOnDrive(destRoot, source);
    // A full verify only reads more: any boolean is fine, anything else is not a boolean.
    const fullVerify = p.fullVerify === true;
    return { ...job, params: { ...p, source, destRoot, fullVerify } };
  },

  // A verified backup of the user's, copied into a drive's persistence store. Never into a directory: that
  // would let the caller write anywhere root can.
  restore: async (job, ctx) => {
    const p = job.params;
    const backupDir = await userBackup(p.backupDir, ctx.uid);
    const target = await checkedDrive(
      p.target,
      'restore target',
      { includeLoop: p.includeLoop },
      ctx.checkDrive,
      FOLDERS_WITH_SUDO,
    );
    return { ...job, params: { ...p, backupDir, target } };
  },

  // A backup of the user's read against its own checksums (and the outcome recorded beside its manifest): only a
  // folder whose manifest names it, owned as restore's must be; damaged or unverified ones too (that is the point).
  'backup-check': async (job, ctx) => ({
    ...job,
    params: { backupDir: await userCheckableBackup(job.params.backupDir, ctx.uid) },
  }),

  // A framework's apt package or .deb: safe tokens only; an uninstall removes exactly that one package.
  'framework-install-system': async (job) => ({ ...job, params: checkSystemInstall(job.params) }),
  'framework-uninstall-system': async (job) => ({
    ...job,
    params: await checkSystemUninstall(job.params, processTools()),
  }),

  // The toolkit's scripts into a bin folder: every script and the folder re-checked here (core/repo/link-request-check.ts).
  'repo-link': async (job, ctx) => ({ ...job, params: await checkLinkRequest(job.params, ctx.uid) }),

  // The schedule: the data root is the only parameter (an existing directory, by its real path); the folders
  // written and the command the timers run are the helper's own choice (core/schedule/jobs.ts).
  'schedule-install': async (job) => ({
    ...job,
    params: { dataRoot: await realDataRoot(job.params.dataRoot) },
  }),
  'schedule-remove': async (job) => ({
    ...job,
    params: { dataRoot: await realDataRoot(job.params.dataRoot) },
  }),

  // OS updates (core/os/target-check.ts): the backend by name, root and sysroot as real directories and / only
  // unless the user is root, the stateroot a plain name; pin's index a small whole number, pinned a boolean.
  'os-check': async (job, ctx) => ({ ...job, params: await checkOsTarget(job.params, ctx.uid) }),
  'os-apply': async (job, ctx) => ({ ...job, params: await checkOsTarget(job.params, ctx.uid) }),
  'os-rollback': async (job, ctx) => ({ ...job, params: await checkOsTarget(job.params, ctx.uid) }),
  'os-repair': async (job, ctx) => ({ ...job, params: await checkOsTarget(job.params, ctx.uid) }),
  'os-pin': async (job, ctx) => {
    const index = checkDeploymentIndex(job.params.index);
    if (typeof job.params.pinned !== 'boolean')
      throw new KintsugiError('INVALID_ARGUMENT', 'pinned must be true or false');
    return { ...job, params: { ...(await checkOsTarget(job.params, ctx.uid)), index } };
  },

  // A kernel package into a root (core/kernel/install): the host a plain token, the package a regular file the
  // user could read, the workspace (whose manifest says what the package must be) a directory the user owns, the
  // root / unless the user is root (core/os/target-check.ts's rule).
  'kernel.install': async (job, ctx) => {
    const p = job.params;
    const host = checkKernelHost(p.host);
    const packageFile = await userReadableFile(
      p.packageFile,
      'kernel package',
      ctx.uid,
      'KERNEL_INSTALL_BAD_PACKAGE',
    );
    const workspace = await userOwnedDirectory(p.workspace, 'kernel workspace', ctx.uid);
    const root = await allowedRoot(p.root, 'root', ctx.uid);
    return { ...job, params: { workspace, host, packageFile, root } };
  },
  'kernel.rollback': async (job, ctx) => ({
    ...job,
    params: {
      host: checkKernelHost(job.params.host),
      root: await allowedRoot(job.params.root, 'root', ctx.uid),
    },
  }),
};

/** The job to run in place of JOB, or a KintsugiError saying which parameter was refused and what to do. */
export async function authorizeHelperJob(
  job: ParsedJobRequest,
  ctx: AuthorizeContext,
): Promise<ParsedJobRequest> {
  if (!isHelperJob(job.type))
    throw new KintsugiError('INVALID_ARGUMENT', `job type ${job.type} is not run by the privileged helper`, {
      hint: 'Only flash, verify-drive, backup, restore, backup-check, system-package framework jobs, repo-link, the schedule jobs, the OS update jobs and the kernel install and rollback run as root; run other jobs without the helper.',
    });
  const authorize = AUTHORIZERS[job.type] as unknown as Authorizer<HelperJobType>;
  return authorize(job as Job<HelperJobType>, ctx);
}
