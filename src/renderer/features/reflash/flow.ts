import type { ReflashStep } from '../../../shared/progress';
import type { ReflashState } from '../../../shared/reflash/state';

// Pure readings of main's ReflashState for the page. They decide what the page SHOWS (which buttons, which
// warnings); main decides what is ALLOWED and refuses an intent that breaks a gate, whatever the page showed.

export const STEP_TITLES: Record<ReflashStep, string> = {
  image: 'Image',
  drive: 'Drive',
  backup: 'Back up',
  flash: 'Flash',
  restore: 'Restore',
  done: 'Done',
};

/** The steps a flow goes through: "Restore an existing backup" has no image, backup or flash step. */
export function flowSteps(state: ReflashState): ReflashStep[] {
  return state.restoreOnly
    ? ['drive', 'restore', 'done']
    : ['image', 'drive', 'backup', 'flash', 'restore', 'done'];
}

/** The reflash step a job belongs to, by its type. */
export function stepOfJob(type: string): ReflashStep | undefined {
  switch (type) {
    case 'image-check':
      return 'image';
    case 'backup':
      return 'backup';
    case 'flash':
    case 'verify-drive':
      return 'flash';
    case 'restore':
      return 'restore';
    default:
      return undefined;
  }
}

/** The job types the reflash flow starts: when one ends, main has changed the flow state. */
export const FLOW_JOB_TYPES: ReadonlySet<string> = new Set(['image-check', 'backup', 'flash', 'restore']);

/** Where "Continue" leads from a step (main may already have moved there by itself). */
export function nextStep(state: ReflashState, from: ReflashStep): ReflashStep {
  const steps = flowSteps(state);
  if (from === 'flash' && !state.backup) return 'done'; // the backup was skipped: nothing to restore
  return steps[steps.indexOf(from) + 1] ?? 'done';
}

export const backupVerified = (s: ReflashState): boolean =>
  s.backup?.manifest.verified === true && (s.device === undefined || s.backup.device === s.device);

export const backupSkipped = (s: ReflashState): boolean =>
  s.backupSkippedFor !== undefined && s.backupSkippedFor === s.device;

/** Flashing is unlocked by a verified backup of this drive or a typed skip naming it. */
export const flashUnlocked = (s: ReflashState): boolean => backupVerified(s) || backupSkipped(s);

/** The drive has been (partly) written: the backup step is closed and the backup to restore is fixed. */
export const driveWritten = (s: ReflashState): boolean => s.writtenDevice !== undefined;

/** All of the backup is back in place: restored, verified, and no fewer files than the backup holds. */
export function restoreComplete(s: ReflashState): boolean {
  return s.backup !== undefined && s.restore?.verified === true && s.restore.files >= s.backup.manifest.files;
}

/** Main asks for the typed device name to start over while a verified backup waits to be restored. */
export function startOverNeedsTyping(s: ReflashState): boolean {
  return s.backup !== undefined && s.writtenDevice !== undefined && s.restore?.verified !== true;
}

/** The device name a typed confirmation must give for this flow's drive. */
export const confirmDevice = (s: ReflashState): string => s.writtenDevice ?? s.device ?? '';

/** Nothing chosen yet: "Start over" has nothing to forget. */
export const untouched = (s: ReflashState): boolean =>
  s.step === 'image' && !s.imageSource && !s.image && !s.device && !s.backup && !s.restoreOnly;
