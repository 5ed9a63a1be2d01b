import { KintsugiError } from '../../../../shared/errors';
import type { HostManifest } from '../../../../shared/kernel/model';
import { runPipeline, type PipelineStep } from '../../jobs/pipeline';
import { checkPackageArch } from './arch';
import { cachedPackage, checkRoom, filesToBackUp, writeBackup } from './backup';
import { crashIf, type CrashPoint } from './crash-seam';
import { DEFAULT_HEARTBEAT_TIMEOUT_SEC } from './heartbeat';
import { installArgv, installedVersion, packageFiles, runPackageManager } from './package-db';
import { checkPackagePath, readPackage, releasesIn, type PackageInfo } from './package-file';
import { backupFolder, checkHost, checkRoot, defaultBackupDir, isRealRoot } from './paths';
import { loadRecord, saveRecord, type InstallRecord } from './state';
import { runTriggers, triggerPlan } from './triggers';

// `kintsugi kernel install HOST --package FILE`: check, back up the replaced kernel, install, run the boot
// triggers, then wait for the heartbeat. Each step saves its checkpoint in the host's record, so a rerun after a
// crash resumes at the first unfinished step with the same package, and refuses any other package until the
// unfinished one is finished or rolled back: it never guesses what a half-done install left.

const INSTALL_STEPS = ['backup', 'install', 'triggers', 'await-heartbeat'] as const;

export interface InstallOptions {
  host: string;
  manifest: HostManifest;
  packageFile: string;
  /** `/` on the host itself; a temp dir in tests, a chroot's root. Boot triggers run only for `/`. */
  root: string;
  backupDir?: string;
  heartbeatTimeoutSec?: number;
  now?: () => number;
  onStep?: (id: string, title: string, skipped: boolean) => void;
  /** Test seam (crash-seam.ts). */
  crashAt?: CrashPoint;
}

export interface InstallResult {
  record: InstallRecord;
  ran: string[];
  skipped: string[];
  /** True when an interrupted install of this package was picked up. */
  resumed: boolean;
}

export async function installKernel(o: InstallOptions): Promise<InstallResult> {
  const host = checkHost(o.host);
  const root = checkRoot(o.root);
  const now = o.now ?? Date.now;
  if (o.manifest.host !== host)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `the manifest given is host ${o.manifest.host}'s, not ${host}'s`,
    );
  const kind = o.manifest.package.kind;
  const pkg = await readPackage(await checkPackagePath(o.packageFile, kind), kind);
  checkPackageArch(kind, pkg.arch, o.manifest.arch, pkg.file);
  if (pkg.name !== o.manifest.package.pkgbase)
    throw new KintsugiError(
      'KERNEL_INSTALL_BAD_PACKAGE',
      `${pkg.file} is package ${pkg.name}; host ${host}'s manifest installs ${o.manifest.package.pkgbase}`,
    );

  const previous = await loadRecord(root, host);
  // The same package again (a rerun rollout): nothing to do. Backing up the new kernel as "the replaced one" would
  // point the record away from the backup of the kernel that came before it.
  if (previous?.phase === 'pending-heartbeat' && previous.package.sha256 === pkg.sha256) {
    const db = await installedVersion(kind, root, pkg.name);
    if (db?.complete && db.version === pkg.version)
      return { record: previous, ran: [], skipped: [...INSTALL_STEPS], resumed: false };
  }
  let rec: InstallRecord;
  let resumed = false;
  if (previous && (previous.phase === 'installing' || previous.phase === 'rolling-back')) {
    if (previous.phase === 'installing' && previous.package.sha256 === pkg.sha256) {
      rec = previous;
      resumed = true;
    } else
      throw new KintsugiError(
        'KERNEL_INSTALL_INTERRUPTED',
        previous.phase === 'rolling-back'
          ? `a rollback of ${previous.package.name} ${previous.package.version} on ${host} did not finish`
          : `the install of ${previous.package.file} (${previous.package.version}) on ${host} stopped before ${nextStep(previous)}`,
      );
  } else rec = await freshRecord(o, host, root, pkg);

  const step = (
    id: (typeof INSTALL_STEPS)[number],
    title: string,
    done: (s: InstallRecord) => boolean,
    body: (s: InstallRecord) => Promise<InstallRecord>,
  ): PipelineStep<InstallRecord> => ({
    id,
    title: () => title,
    done,
    run: async (s) => {
      const next = await saveRecord(root, await body(s));
      if (id !== 'await-heartbeat') crashIf(o.crashAt, `after:${id}`);
      return next;
    },
  });

  const steps = [
    step(
      'backup',
      `Back up ${rec.replaced ? `${pkg.name} ${rec.replaced.version}` : 'nothing (first install)'}`,
      (s) => !!s.steps.backup,
      (s) => backUp(root, s),
    ),
    step(
      'install',
      `Install ${pkg.name} ${pkg.version}`,
      (s) => !!s.steps.install,
      async (s) => {
        if (o.crashAt === 'within:install') {
          await runPackageManager(installArgv(kind, root, pkg.file, true), `unpacking ${pkg.file}`);
          crashIf(o.crashAt, 'within:install');
        }
        await runPackageManager(installArgv(kind, root, pkg.file), `installing ${pkg.file}`);
        const db = await installedVersion(kind, root, pkg.name);
        if (!db?.complete || db.version !== pkg.version)
          throw new KintsugiError(
            'KERNEL_INSTALL_FAILED',
            `after the install the database shows ${pkg.name} ${db ? `${db.version}${db.complete ? '' : ' (half-installed)'}` : 'not installed'}`,
          );
        return { ...s, steps: { ...s.steps, install: { at: iso(now) } } };
      },
    ),
    step(
      'triggers',
      'Initramfs and boot menu',
      (s) => !!s.steps.triggers,
      async (s) => {
        const plan = triggerPlan({
          rootIsSlash: isRealRoot(root),
          initramfs: s.install.initramfs,
          bootloader: s.install.bootloader,
          release: pkg.kernelRelease,
          pkgbase: pkg.name,
        });
        const outcomes = await runTriggers(plan).catch((err: unknown) => {
          throw new KintsugiError(
            'KERNEL_INSTALL_FAILED',
            `a boot trigger failed: ${(err as Error).message}`,
            {
              cause: err,
            },
          );
        });
        return { ...s, steps: { ...s.steps, triggers: { at: iso(now), outcomes } } };
      },
    ),
    step(
      'await-heartbeat',
      'Wait for the heartbeat of the new kernel',
      (s) => s.phase === 'pending-heartbeat',
      async (s) => {
        const at = now();
        return {
          ...s,
          phase: 'pending-heartbeat',
          installedAt: new Date(at).toISOString(),
          deadline: new Date(at + s.heartbeatTimeoutSec * 1000).toISOString(),
        };
      },
    ),
  ];

  const r = await runPipeline(steps, rec, {
    onStep: (s, state, skipped) => o.onStep?.(s.id, s.title(state), skipped),
  });
  return { record: r.state, ran: r.ran, skipped: r.skipped, resumed };
}

const iso = (now: () => number) => new Date(now()).toISOString();

function nextStep(r: InstallRecord): string {
  if (!r.steps.backup) return 'its backup was complete';
  if (!r.steps.install) return 'the package was installed';
  if (!r.steps.triggers) return 'the boot triggers ran';
  return 'it was marked for the heartbeat';
}

/** Everything decided before the first change: what is replaced, where its backup goes, and that both fit. */
async function freshRecord(
  o: InstallOptions,
  host: string,
  root: string,
  pkg: PackageInfo,
): Promise<InstallRecord> {
  const kind = o.manifest.package.kind;
  const db = await installedVersion(kind, root, pkg.name);
  if (db && !db.complete)
    throw new KintsugiError(
      'KERNEL_INSTALL_INTERRUPTED',
      `${pkg.name} ${db.version} is half-installed in ${root}, and no Kintsugi install of it is recorded`,
      { hint: 'Finish or undo it with the package manager by hand; Kintsugi will not guess what it left.' },
    );
  let replaced: InstallRecord['replaced'] = null;
  let backupPath: string | null = null;
  let backupBytes = 0;
  let initramfsBytes = 0;
  if (db) {
    const owned = await packageFiles(kind, root, pkg.name);
    const release = releasesIn(owned)[0] ?? null;
    replaced = { version: db.version, kernelRelease: release };
    backupPath = backupFolder(o.backupDir ?? defaultBackupDir(root), host, db.version);
    const files = await filesToBackUp(root, owned, release, pkg.name);
    backupBytes = files.reduce((a, f) => a + f.size, 0);
    // The new release's initramfs will be about the size of the old one's: count it against /boot too.
    initramfsBytes = files
      .filter((f) => /^boot\/(initrd|initramfs)/.test(f.path))
      .reduce((a, f) => a + f.size, 0);
  }
  await checkRoom({
    root,
    newBootBytes: pkg.bootBytes + initramfsBytes,
    backupFolder: backupPath ?? root,
    backupBytes,
  });
  return {
    schema: 1,
    host,
    kind,
    install: { bootloader: o.manifest.install.bootloader, initramfs: o.manifest.install.initramfs },
    package: {
      file: pkg.file,
      sha256: pkg.sha256,
      name: pkg.name,
      version: pkg.version,
      arch: pkg.arch,
      kernelRelease: pkg.kernelRelease,
    },
    replaced,
    backupPath,
    heartbeatTimeoutSec: o.heartbeatTimeoutSec ?? DEFAULT_HEARTBEAT_TIMEOUT_SEC,
    phase: 'installing',
    steps: {},
  };
}

async function backUp(root: string, s: InstallRecord): Promise<InstallRecord> {
  let files = 0;
  let bytes = 0;
  if (s.replaced && s.backupPath) {
    const owned = await packageFiles(s.kind, root, s.package.name);
    const list = await filesToBackUp(root, owned, s.replaced.kernelRelease, s.package.name);
    const rec = await writeBackup({
      root,
      folder: s.backupPath,
      host: s.host,
      version: s.replaced.version,
      kernelRelease: s.replaced.kernelRelease,
      files: list,
      packageArchive: await cachedPackage(root, s.kind, s.package.name, s.replaced.version),
    });
    files = rec.files.length;
    bytes = rec.files.reduce((a, f) => a + f.size, 0);
  }
  return { ...s, steps: { ...s.steps, backup: { at: new Date().toISOString(), files, bytes } } };
}
