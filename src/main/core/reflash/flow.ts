import { basename } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { DriveInfo } from '../../../shared/model';
import type { JobEvent, JobRequest, JobResult, JobType } from '../../../shared/registry';
import type { ReflashStep } from '../../../shared/progress';
import type { ChooseImageIntent } from '../../../shared/reflash/contract';
import type { LastWrittenImage } from '../../../shared/reflash/last-written';
import { freshReflashState, type ReflashState } from '../../../shared/reflash/state';
import { refuseDestOnDrive } from '../backup/dest-drive';
import { readLastCheck, readManifest } from '../backup/manifest';
import { latestVerifiedBackup } from '../backup/list';
import { fullVerifyDue } from '../../../shared/backup/full-verify';
import { isPathOnDrive } from '../drives/identity';
import { resolveTargetDrive } from '../drives/resolve-target';
import { flashRequestFor, imageCheckRequest } from '../image/requests';
import type { JobExecutor } from '../jobs/executor';
import type { JobRunner } from '../jobs/job-runner';
import { driveKey as defaultDriveKey } from './drive-key';
import {
  backupGate,
  chooseDriveGate,
  chooseImageGate,
  forceRawGate,
  allowUnsignedGate,
  flashGate,
  keptAfterWrite,
  goToGate,
  restoreGate,
  skipBackupGate,
  startOverGate,
  type Gate,
} from '../../../shared/reflash/gates';
import type { WrittenDrivesLedger } from './ledger';
import type { ReflashStore } from './store';
import { backupUsable } from '../../../shared/backup/usable';

// The reflash flow, run by main for the GUI and by the CLI alike. The renderer (or the CLI) sends intents; the
// flow checks each against its own saved state (gates.ts), builds every privileged request from that state and
// starts it as a job on main's job service. When a job ends, its result is written into the state here — not by
// the page that asked — so a closed window or a crash loses nothing. Every state change is serialized.

export interface ReflashFlowDeps {
  store: ReflashStore;
  ledger: WrittenDrivesLedger;
  runner: JobRunner;
  executor: JobExecutor;
  settings(): Promise<{ includeLoop: boolean; pubkey?: string; fullVerifyEvery?: number }>;
  /** The safety check of a drive; resolves to its canonical info or throws DRIVE_*. */
  checkDrive?: (
    device: string,
    opts: { includeLoop: boolean; imageSize?: number; imagePath?: string },
  ) => Promise<DriveInfo>;
  pathOnDrive?: (path: string, device: string) => Promise<boolean>;
  driveKey?: (device: string) => Promise<string>;
}

export const FLOW = 'reflash';

type Started = { jobId: string; state: ReflashState };

export class ReflashFlow {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly applied = new Map<string, { promise: Promise<void>; resolve(): void }>();
  private readonly checkDrive: NonNullable<ReflashFlowDeps['checkDrive']>;
  private readonly pathOnDrive: NonNullable<ReflashFlowDeps['pathOnDrive']>;
  private readonly driveKey: NonNullable<ReflashFlowDeps['driveKey']>;
  readonly unsubscribe: () => void;

  constructor(private readonly deps: ReflashFlowDeps) {
    this.checkDrive = deps.checkDrive ?? resolveTargetDrive;
    this.pathOnDrive = deps.pathOnDrive ?? isPathOnDrive;
    this.driveKey = deps.driveKey ?? defaultDriveKey;
    this.unsubscribe = deps.runner.onEvent((e) => {
      // A state file that cannot be written (disk full, folder gone) must not crash main: the job's outcome is
      // in the journal, and the page still shows the step's job with its result.
      if (e.type === 'done' || e.type === 'failed') this.onJobEnd(e).catch(() => undefined);
    });
  }

  /** The saved state as it is on disk. After a crash, activeJob still names the job that died, so a page can show
   * it as interrupted (the journal has its record); the next intent drops it. */
  state(): Promise<ReflashState> {
    return this.serial(() => this.deps.store.load());
  }

  /** The image this app wrote last, to which drive, and whether that reflash finished (the ledger's record). */
  async lastWritten(): Promise<LastWrittenImage | null> {
    const e = await this.deps.ledger.lastImage();
    if (!e?.image) return null;
    return {
      device: e.device,
      imageName: e.image.name,
      ...(e.image.version ? { version: e.image.version } : {}),
      writtenAt: e.image.at,
      complete: e.settledAt !== undefined,
    };
  }

  /** The state the gates judge: a job the state waits for that this process does not run died with an earlier
   * process, and must not hold the flow up. */
  private async load(): Promise<ReflashState> {
    const s = await this.deps.store.load();
    if (s.activeJob && !this.deps.runner.status(s.activeJob.jobId)) {
      const { activeJob: _gone, ...rest } = s;
      return rest;
    }
    return s;
  }

  chooseImage(req: ChooseImageIntent): Promise<Started> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(chooseImageGate(s));
      // Checked here, where the power is: the page asking for the word is a courtesy, not the guard.
      if (req.forceRaw) enforce(forceRawGate(req.source, req.forceRaw.typed), 'Type RAW or the file name.');
      if (req.allowUnsigned) enforce(allowUnsignedGate(req.allowUnsigned.typed), 'Type UNSIGNED.');
      const { pubkey } = await this.deps.settings();
      const next: ReflashState = {
        ...freshReflashState(),
        durations: {},
        ...(s.speeds ? { speeds: s.speeds } : {}),
        ...keptAfterWrite(s),
        imageSource: req.source,
        ...(req.sha256File ? { sha256File: req.sha256File } : {}),
        ...(req.minisigFile ? { minisigFile: req.minisigFile } : {}),
        ...(req.noBmap ? { noBmap: true } : {}),
      };
      return this.start(
        next,
        'image',
        imageCheckRequest({
          source: req.source,
          sha256File: req.sha256File,
          minisigFile: req.minisigFile,
          pubkey,
          noBmap: req.noBmap,
          ...(req.forceRaw ? { forceRaw: true } : {}),
          ...(req.allowUnsigned ? { allowUnsigned: true } : {}),
        }),
      );
    });
  }

  chooseDrive(req: { device: string }): Promise<ReflashState> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(chooseDriveGate(s));
      const { includeLoop } = await this.deps.settings();
      // Canonical from here on: every later request names the device the safety rules passed, never a link.
      const drive = await this.checkDrive(req.device, {
        includeLoop,
        ...(s.image?.imageSize !== undefined ? { imageSize: s.image.imageSize } : {}),
        ...(s.image ? { imagePath: s.image.path } : {}),
      });
      enforce(chooseDriveGate(s, drive.device));
      if (s.writtenDevice === drive.device && !s.restore?.verified)
        return this.deps.store.save({ ...s, step: 'flash' });
      const next: ReflashState = { ...s, device: drive.device, step: s.restoreOnly ? 'restore' : 'backup' };
      delete next.backupSkippedFor;
      if (!s.restoreOnly) delete next.backup;
      // A drive an earlier flow wrote without restoring: its data is in that flow's backup, not on the drive.
      const pending = await this.deps.ledger.pending(await this.driveKey(drive.device));
      if (pending?.backupPath && !s.restoreOnly) {
        const manifest = await readManifest(pending.backupPath);
        if (manifest?.verified) {
          next.backup = { path: pending.backupPath, device: drive.device, manifest };
          next.writtenDevice = drive.device;
          next.step = 'flash';
        }
      }
      return this.deps.store.save(next);
    });
  }

  startBackup(req: { backupDir: string }): Promise<Started> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(backupGate(s));
      const device = s.device!;
      const key = await this.driveKey(device);
      const owed = await this.deps.ledger.pending(key);
      if (owed)
        throw new KintsugiError(
          'FLOW_GATE',
          owed.backupPath
            ? `${device} was written by an earlier reflash whose backup ${owed.backupPath} is not restored yet; a backup of it now would copy the new image, not your data`
            : `${device} was partly written by an earlier reflash that skipped its backup; there is nothing of yours left to back up`,
          {
            hint: owed.backupPath
              ? 'Choose the drive again to continue from that backup, then flash and restore.'
              : 'Skip the backup (type the device name) and flash again.',
          },
        );
      // The backup job refuses this too; asked here it fails before a job exists.
      await refuseDestOnDrive(req.backupDir, device, this.pathOnDrive);
      const { includeLoop, fullVerifyEvery } = await this.deps.settings();
      // The backup this drive's data will be restored from, right before an erase: when the Nth is due, every
      // file is read again rather than trusting the checksums inherited from older backups.
      const previous = await latestVerifiedBackup(req.backupDir);
      const fullVerify = fullVerifyDue(previous?.manifest, fullVerifyEvery);
      return this.start({ ...s, backupDir: req.backupDir, step: 'backup' }, 'backup', {
        type: 'backup',
        params: {
          source: device,
          destRoot: req.backupDir,
          includeLoop,
          ...(fullVerify ? { fullVerify } : {}),
        },
      });
    });
  }

  skipBackup(req: { typed: string }): Promise<ReflashState> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(skipBackupGate(s, req.typed));
      const next: ReflashState = { ...s, backupSkippedFor: s.device!, step: 'flash' };
      delete next.backup;
      return this.deps.store.save(next);
    });
  }

  startFlash(req: { typed: string }): Promise<Started> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(flashGate(s, req.typed));
      const device = s.device!;
      const image = s.image!;
      const { includeLoop } = await this.deps.settings();
      // Recorded before the first byte: from now on this drive is never backed up as the user's data.
      await this.deps.ledger.markWritten(
        await this.driveKey(device),
        {
          device,
          ...(s.backup ? { backupPath: s.backup.path, backupFiles: s.backup.manifest.files } : {}),
        },
        { name: basename(image.source), ...(image.version ? { version: image.version } : {}) },
      );
      const next: ReflashState = { ...s, writtenDevice: device, step: 'flash' };
      delete next.flash;
      return this.start(next, 'flash', flashRequestFor(image, device, { includeLoop, verify: true }));
    });
  }

  startRestore(req: { typed?: string } = {}): Promise<Started> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(restoreGate(s, req.typed));
      const { includeLoop } = await this.deps.settings();
      const next: ReflashState = { ...s, step: 'restore' };
      delete next.restore;
      return this.start(next, 'restore', {
        type: 'restore',
        params: { backupDir: s.backup!.path, target: s.device!, includeLoop },
      });
    });
  }

  useExistingBackup(req: { path: string }): Promise<ReflashState> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(startOverGate(s));
      const manifest = await readManifest(req.path);
      const lastCheck = await readLastCheck(req.path);
      if (!manifest || !backupUsable(manifest, lastCheck))
        throw new KintsugiError(
          'BACKUP_NOT_FOUND',
          lastCheck?.ok === false
            ? `${req.path} failed its last check (${lastCheck.problems[0] ?? 'damaged'}): restore another backup`
            : `${req.path} is not a verified Kintsugi backup`,
        );
      return this.deps.store.save({
        ...freshReflashState(),
        ...(s.speeds ? { speeds: s.speeds } : {}),
        restoreOnly: true,
        // The device is filled in when the drive is chosen; the backup names where it came from.
        backup: { path: req.path, device: manifest.source.startsWith('/') ? manifest.source : '/', manifest },
        step: 'drive',
      });
    });
  }

  goTo(req: { step: ReflashStep }): Promise<ReflashState> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(goToGate(s, req.step));
      return this.deps.store.save({ ...s, step: req.step });
    });
  }

  startOver(req: { typed?: string } = {}): Promise<ReflashState> {
    return this.serial(async () => {
      const s = await this.load();
      enforce(startOverGate(s, req.typed));
      // Giving up the restore of a drive that holds a whole, verified new image (the name was typed): the user's
      // next backup of it is their data again. A half-written drive stays owed its backup whatever the user says.
      if (s.writtenDevice && s.flash?.verified && s.flash.device === s.writtenDevice)
        await this.deps.ledger.settle(await this.driveKey(s.writtenDevice), 'restore-abandoned');
      return this.deps.store.save({ ...freshReflashState(), ...(s.speeds ? { speeds: s.speeds } : {}) });
    });
  }

  /** Resolves once the flow has written the job's outcome into its state (the CLI waits on this). */
  async settled(jobId: string): Promise<ReflashState> {
    await this.deps.runner.wait(jobId);
    await this.deferred(jobId).promise;
    return this.deps.store.load();
  }

  private async start(next: ReflashState, step: ReflashStep, req: JobRequest): Promise<Started> {
    const jobId = this.deps.runner.start(req, this.deps.executor, { flow: FLOW });
    this.deferred(jobId);
    const saved = await this.deps.store.save({
      ...next,
      step,
      activeJob: { jobId, type: req.type, startedAt: new Date().toISOString() },
    });
    return { jobId, state: saved };
  }

  private async onJobEnd(e: Extract<JobEvent, { type: 'done' | 'failed' }>): Promise<void> {
    await this.serial(async () => {
      const s = await this.deps.store.load();
      if (s.activeJob?.jobId !== e.jobId) return;
      const started = Date.parse(s.activeJob.startedAt);
      const { activeJob: _done, ...rest } = s;
      let next: ReflashState = rest;
      if (e.type === 'done') next = await this.apply(rest, e.jobType, e.result, Date.now() - started);
      await this.deps.store.save(next);
    }).finally(() => this.deferred(e.jobId).resolve());
  }

  /** What a finished job changes in the state. */
  private async apply(
    s: ReflashState,
    type: JobType,
    result: unknown,
    elapsedMs: number,
  ): Promise<ReflashState> {
    const durations = { ...s.durations };
    const speeds = { ...(s.speeds ?? {}) };
    const seconds = Math.max(elapsedMs / 1000, 0.001);
    // Small jobs measure start-up overhead, not throughput: keep the defaults until a job moved 32 MiB or more.
    const MIN_MEASURED = 32 * 1024 * 1024;
    const add = (step: ReflashStep) => (durations[step] = (durations[step] ?? 0) + elapsedMs);
    switch (type) {
      case 'image-check': {
        const r = result as JobResult<'image-check'>;
        add('image');
        if (r.fileSize >= MIN_MEASURED) speeds.hash = r.fileSize / seconds;
        return { ...s, image: r, step: s.writtenDevice ? 'flash' : 'drive', durations, speeds };
      }
      case 'backup': {
        const { path, ...manifest } = result as JobResult<'backup'>;
        add('backup');
        if (manifest.bytes >= MIN_MEASURED) speeds.backup = manifest.bytes / seconds;
        if (!backupUsable(manifest)) return { ...s, durations };
        const next: ReflashState = {
          ...s,
          backup: { path, device: s.device!, manifest },
          step: 'flash',
          durations,
          speeds,
        };
        delete next.backupSkippedFor;
        return next;
      }
      case 'flash': {
        const r = result as JobResult<'flash'>;
        add('flash');
        if (r.bytesWritten >= MIN_MEASURED && r.durationMs > 0)
          speeds.flash = r.bytesWritten / (r.durationMs / 1000);
        const step: ReflashStep = !r.verified ? 'flash' : s.backup ? 'restore' : 'done';
        // A whole new image with no backup to put back: nothing is owed on this drive any more.
        if (r.verified && !s.backup && s.device)
          await this.deps.ledger.settle(await this.driveKey(s.device), 'no-backup');
        return { ...s, flash: r, step, durations, speeds };
      }
      case 'restore': {
        const r = result as JobResult<'restore'>;
        add('restore');
        if (r.bytes >= MIN_MEASURED) speeds.restore = r.bytes / seconds;
        if (r.verified && s.device) await this.deps.ledger.settle(await this.driveKey(s.device), 'restored');
        return { ...s, restore: r, step: r.verified ? 'done' : 'restore', durations, speeds };
      }
      default:
        return { ...s, durations };
    }
  }

  private deferred(jobId: string) {
    let d = this.applied.get(jobId);
    if (!d) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      d = { promise, resolve };
      this.applied.set(jobId, d);
      // Forget it once resolved and read (a long-running app must not keep every job's promise).
      void promise.then(() => setTimeout(() => this.applied.delete(jobId), 60_000).unref?.());
    }
    return d;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.catch(() => undefined).then(fn);
    this.chain = next;
    return next;
  }
}

function enforce(gate: Gate, confirmHint = 'Type the device name shown, exactly, to confirm.'): void {
  if (!gate.ok)
    throw new KintsugiError(gate.needsConfirmation ? 'CONFIRMATION_REQUIRED' : 'FLOW_GATE', gate.reason, {
      ...(gate.needsConfirmation ? { hint: confirmHint } : {}),
    });
}
