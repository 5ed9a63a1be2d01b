import { fromErrorPayload, KintsugiError } from '../../../shared/errors';
import type { ReflashState } from '../../../shared/reflash/state';
import type { JobRunner } from '../jobs/job-runner';
import type { PipelineStep } from '../jobs/pipeline';
import type { ReflashFlow } from './flow';
import { furthestStep } from '../../../shared/reflash/gates';

// The reflash as one run (the CLI): the same flow and gates as the GUI, its steps in order, each skipped when the
// saved state already holds it. A rerun after a crash or a failed flash resumes: the verified backup taken
// before the drive was written is the one restored, and a written drive is never backed up again.

export interface ReflashRun {
  image: string;
  sha256File?: string;
  minisigFile?: string;
  /** Ignore a .bmap beside the image. */
  noBmap?: boolean;
  /** Canonical device path, already confirmed by the user. */
  device: string;
  backupTo?: string;
  skipBackup: boolean;
  /** The user passed --force-raw: check the image as raw even if it does not look like a disk image. */
  forceRaw?: boolean;
  /** The user passed --allow-unsigned: go on without a .minisig although a key is set. */
  allowUnsigned?: boolean;
}

export function reflashSteps(
  flow: ReflashFlow,
  runner: JobRunner,
  run: ReflashRun,
  onJob?: (jobId: string) => void,
): PipelineStep<ReflashState>[] {
  const settle = async (started: { jobId: string }) => {
    onJob?.(started.jobId);
    const final = await runner.wait(started.jobId);
    const state = await flow.settled(started.jobId);
    if (final.state === 'failed' && final.error) throw fromErrorPayload(final.error);
    return state;
  };
  const backedUp = (s: ReflashState) =>
    s.backup?.device === run.device || (run.skipBackup && s.backupSkippedFor === run.device);
  return [
    {
      id: 'image',
      title: () => `Checking ${run.image}`,
      done: (s) =>
        s.image !== undefined &&
        s.imageSource === run.image &&
        s.sha256File === run.sha256File &&
        s.minisigFile === run.minisigFile &&
        (s.noBmap ?? false) === (run.noBmap ?? false),
      run: async () =>
        settle(
          await flow.chooseImage({
            source: run.image,
            ...(run.sha256File ? { sha256File: run.sha256File } : {}),
            ...(run.minisigFile ? { minisigFile: run.minisigFile } : {}),
            ...(run.noBmap ? { noBmap: true } : {}),
            // --force-raw on the command line is the typed confirmation.
            ...(run.forceRaw ? { forceRaw: { typed: 'RAW' } } : {}),
            ...(run.allowUnsigned ? { allowUnsigned: { typed: 'UNSIGNED' } } : {}),
          }),
        ),
    },
    {
      id: 'drive',
      title: () => `Checking ${run.device}`,
      done: (s) => s.device === run.device,
      run: () => flow.chooseDrive({ device: run.device }),
    },
    {
      id: 'backup',
      title: (s) =>
        s.writtenDevice
          ? `Resuming: ${run.device} was already written; its backup is ${s.backup?.path ?? 'missing'}`
          : run.skipBackup
            ? `Skipping the backup of ${run.device}: its data will be lost`
            : `Backing up the persistence store of ${run.device} to ${run.backupTo}`,
      done: backedUp,
      run: async () => {
        if (run.skipBackup) return flow.skipBackup({ typed: run.device });
        if (!run.backupTo)
          throw new KintsugiError('INVALID_ARGUMENT', 'a backup folder is needed (--backup-to)');
        return settle(await flow.startBackup({ backupDir: run.backupTo }));
      },
    },
    {
      id: 'flash',
      title: (s) => `Writing ${s.image?.path ?? run.image} to ${run.device}`,
      done: (s) => s.flash?.verified === true && s.writtenDevice === run.device,
      run: async () => settle(await flow.startFlash({ typed: run.device })),
    },
    {
      id: 'restore',
      title: (s) => `Restoring ${s.backup?.path} into the new persistence store on ${run.device}`,
      done: (s) => !s.backup || s.restore?.verified === true,
      run: async () => settle(await flow.startRestore({})),
    },
  ];
}

/** A finished flow is not resumed: the next run starts from its image step. */
export function isFinished(s: ReflashState): boolean {
  return furthestStep(s) === 'done' && (s.restore?.verified === true || s.backupSkippedFor !== undefined);
}
