import { KintsugiError } from '../../../../shared/errors';
import { runPipeline, type PipelineStep } from '../../jobs/pipeline';
import { restoreBackup, verifiedBackup, type BackupRecord } from './backup';
import { crashIf, type CrashPoint } from './crash-seam';
import { installArgv, installedVersion, removeArgv, runPackageManager } from './package-db';
import { backupFolder, checkHost, checkRoot, isRealRoot } from './paths';
import { loadRecord, saveRecord, type InstallRecord } from './state';
import { runTriggers, triggerPlan } from './triggers';
import { join } from 'node:path';

// `kintsugi kernel rollback HOST`: undo the recorded install. The backup is checked against its own record
// before anything changes (a damaged backup stops the rollback with the new kernel still in place), then the
// package goes back to the replaced version (its kept package file) or, without one, the new package is
// removed; the backed-up files are put back, the boot triggers run for the old release (on `/` only). What the
// package step does is decided from the package database, not from where a crash may have left off.

export interface RollbackOptions {
  host: string;
  root: string;
  /** Where the backups are, when not where the install put them (a moved or remounted backup folder). */
  backupDir?: string;
  now?: () => number;
  onStep?: (id: string, title: string, skipped: boolean) => void;
  /** Test seam (crash-seam.ts). */
  crashAt?: CrashPoint;
}

export type RollbackResult =
  | { nothing: true; reason: string }
  | { nothing: false; record: InstallRecord; ran: string[]; skipped: string[]; did: string[] };

export async function rollbackKernel(o: RollbackOptions): Promise<RollbackResult> {
  const host = checkHost(o.host);
  const root = checkRoot(o.root);
  const now = o.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const rec = await loadRecord(root, host);
  if (!rec) return { nothing: true, reason: `no kernel install is recorded for ${host} under ${root}` };
  if (rec.phase === 'rolled-back')
    return { nothing: true, reason: `${host} was already rolled back (${rec.rollback?.at ?? 'earlier'})` };
  const folder =
    rec.replaced && o.backupDir ? backupFolder(o.backupDir, host, rec.replaced.version) : rec.backupPath;
  const backup = async (): Promise<BackupRecord | null> =>
    folder && rec.replaced ? verifiedBackup(folder) : null;
  // Before the first change: a rollback that would find its backup damaged half-way must not start.
  await backup();

  const step = (
    id: 'begin' | 'rollback-package' | 'restore-files' | 'triggers' | 'mark',
    title: string,
    done: (s: InstallRecord) => boolean,
    body: (s: InstallRecord) => Promise<InstallRecord>,
  ): PipelineStep<InstallRecord> => ({
    id,
    title: () => title,
    done,
    run: async (s) => {
      let next: InstallRecord;
      try {
        next = await saveRecord(root, await body(s));
      } catch (err) {
        if (err instanceof KintsugiError && err.code !== 'KERNEL_INSTALL_FAILED') throw err;
        throw new KintsugiError('KERNEL_ROLLBACK_FAILED', `step ${id}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (id === 'rollback-package' || id === 'restore-files') crashIf(o.crashAt, `after:${id}`);
      return next;
    },
  });
  const pkg = rec.package;
  const rb = (s: InstallRecord) => s.rollback ?? {};

  const steps = [
    step(
      'begin',
      'Start the rollback',
      (s) => s.phase === 'rolling-back' || s.phase === 'rolled-back',
      async (s) => ({
        ...s,
        phase: 'rolling-back',
        rollback: {},
      }),
    ),
    step(
      'rollback-package',
      'Put the package back',
      (s) => rb(s).package !== undefined,
      async (s) => {
        const db = await installedVersion(s.kind, root, pkg.name);
        const b = await backup();
        let said: string;
        if (s.replaced && db?.complete && db.version === s.replaced.version)
          said = `package: ${pkg.name} ${db.version} is installed, as before the install (unchanged)`;
        else if (s.replaced && b?.packageArchive && folder) {
          await runPackageManager(installArgv(s.kind, root, join(folder, b.packageArchive)), 'downgrading');
          said = `package: downgraded ${pkg.name} to ${s.replaced.version}`;
        } else if (db) {
          await runPackageManager(removeArgv(s.kind, root, pkg.name), `removing ${pkg.name}`);
          said = s.replaced
            ? `package: removed ${pkg.name} ${db.version}; no package file of ${s.replaced.version} was kept, so its files are put back without a package record`
            : `package: removed ${pkg.name} ${db.version} (nothing was installed before it)`;
        } else said = `package: ${pkg.name} is not installed (unchanged)`;
        return { ...s, rollback: { ...rb(s), package: said } };
      },
    ),
    step(
      'restore-files',
      'Put the backed-up kernel files back',
      (s) => rb(s).restored !== undefined,
      async (s) => {
        const b = await backup();
        const restored = b && folder ? await restoreBackup(root, folder, b) : 0;
        return { ...s, rollback: { ...rb(s), restored } };
      },
    ),
    step(
      'triggers',
      'Initramfs and boot menu for the old kernel',
      (s) => rb(s).triggers !== undefined,
      async (s) => {
        const release = s.replaced?.kernelRelease;
        const triggers = release
          ? await runTriggers(
              triggerPlan({
                rootIsSlash: isRealRoot(root),
                initramfs: s.install.initramfs,
                bootloader: s.install.bootloader,
                release,
                pkgbase: pkg.name,
              }),
            )
          : ['skipped: no kernel was replaced'];
        return { ...s, rollback: { ...rb(s), triggers } };
      },
    ),
    step(
      'mark',
      'Record the rollback',
      (s) => s.phase === 'rolled-back',
      async (s) => ({
        ...s,
        phase: 'rolled-back',
        rollback: { ...rb(s), at: iso() },
      }),
    ),
  ];
  const r = await runPipeline(steps, rec, {
    onStep: (s, state, skipped) => o.onStep?.(s.id, s.title(state), skipped),
  });
  const x = rb(r.state);
  const did = [
    x.package ?? '',
    `files: ${x.restored ?? 0} put back from ${folder ?? '(no backup: nothing was replaced)'}`,
    ...(x.triggers ?? []).map((t) => `triggers: ${t}`),
  ].filter(Boolean);
  return { nothing: false, record: r.state, ran: r.ran, skipped: r.skipped, did };
}
