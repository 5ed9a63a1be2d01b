import type { ReflashStep } from '../../../shared/progress';
import { backupOfDrive } from '../../../shared/reflash/gates';
import { restoreOutcome } from '../../../shared/reflash/outcome';
import type { ReflashState } from '../../../shared/reflash/state';
import { backupUsable } from '../../../shared/backup/usable';

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

// The rules themselves are main's, shared so the page shows what main will allow.
export { driveWritten, flashUnlocked, startOverNeedsConfirmation } from '../../../shared/reflash/gates';

/** A verified backup is on record for this flow (for the restore-only flow, before a drive is chosen too). */
export const backupVerified = (s: ReflashState): boolean =>
  backupOfDrive(s) || (s.device === undefined && backupUsable(s.backup?.manifest));

/** All of the backup is back in place: the Done step's one claim (src/shared/reflash/outcome.ts). */
export const restoreComplete = (s: ReflashState): boolean => restoreOutcome(s).kind === 'restored';

/** The device name a typed confirmation must give for this flow's drive. */
export const confirmDevice = (s: ReflashState): string => s.writtenDevice ?? s.device ?? '';

/** Nothing chosen yet: "Start over" has nothing to forget. */
export const untouched = (s: ReflashState): boolean =>
  s.step === 'image' && !s.imageSource && !s.image && !s.device && !s.backup && !s.restoreOnly;

// What a flash will write, read from the image report (shared: the CLI can say the same).
export { flashBytesOf, imageSizeOf, type FlashBytes } from '../../../shared/reflash/flash-bytes';
