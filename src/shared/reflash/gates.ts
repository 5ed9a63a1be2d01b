import { bareDeviceName as basename, confirmsDevice } from '../confirm-device';
import type { ImageReport } from '../model';
import type { ReflashStep } from '../progress';
import type { ReflashState } from './state';
import { backupUsable } from '../backup/usable';

// The reflash flow's rules, as pure functions of its saved state. Main checks them on every intent (the renderer
// is never trusted to have checked), and the CLI runs the same flow; the page reads the same predicates to show
// which buttons apply. A gate answers { ok: false, reason } with a sentence fit for the user.

export type Gate = { ok: true } | { ok: false; reason: string; needsConfirmation?: true };

const OK: Gate = { ok: true };
const no = (reason: string): Gate => ({ ok: false, reason });
/** Refused only because the device name was not typed (or not right): the page asks for it. */
const unconfirmed = (reason: string): Gate => ({ ok: false, reason, needsConfirmation: true });

export { confirmsDevice };

/** An image report is trusted when every check it made passed (checkImage throws on a failed check already). */
export function imageTrusted(report: ImageReport | undefined): Gate {
  if (!report) return no('Check an image first.');
  if (report.checksum && !report.checksum.ok)
    return no(`${report.checksum.fileName} does not match the image.`);
  if (report.signature && !report.signature.ok) return no('The image signature is not valid.');
  return OK;
}

/** Once the drive holds (part of) the new image, the choices made before it are fixed. */
export function driveWritten(s: ReflashState): boolean {
  return s.writtenDevice !== undefined;
}

/** A verified backup of the chosen drive exists. */
export function backupOfDrive(s: ReflashState): boolean {
  return s.device !== undefined && s.backup?.device === s.device && backupUsable(s.backup.manifest);
}

/** Flashing is unlocked: a verified backup of this drive, or a skip typed for it. */
export function flashUnlocked(s: ReflashState): boolean {
  return backupOfDrive(s) || (s.device !== undefined && s.backupSkippedFor === s.device);
}

/** Starting over now would forget a verified backup that is not back on the written drive. */
export function startOverNeedsConfirmation(s: ReflashState): boolean {
  return s.backup !== undefined && driveWritten(s) && !s.restore?.verified;
}

/** A new image may be chosen at any time (e.g. after a corrupt one failed mid-flash); a written drive and its
 * backup stay with the flow until the backup is restored (see keptAfterWrite). */
export function chooseImageGate(s: ReflashState): Gate {
  if (s.activeJob) return no('A step is still running: wait for it or cancel it.');
  return OK;
}

/**
 * Writing a file that does not look like a disk image needs the user to type RAW, or the file's name (as shown):
 * a click alone must never turn "this is a web page" into a flashed drive.
 */
export function forceRawGate(source: string, typed: string): Gate {
  const name = source.split(/[\\/]/).pop() ?? source;
  const t = typed.trim();
  if (t === 'RAW' || (t.length > 0 && t === name)) return OK;
  return unconfirmed(`To write a file that does not look like a disk image, type RAW or ${name}.`);
}

/** Going on without a signature although a key is set needs UNSIGNED typed. */
export function allowUnsignedGate(typed: string): Gate {
  if (typed.trim() === 'UNSIGNED') return OK;
  return unconfirmed('To check this image without a signature although a signing key is set, type UNSIGNED.');
}

/** The flow still owes the written drive something: a whole image (the flash did not finish verified) or the
 * restore of its backup. */
export function flowOwesDrive(s: ReflashState): boolean {
  if (!driveWritten(s)) return false;
  const flashed = s.flash?.verified === true && s.flash.device === s.writtenDevice;
  return !flashed || (s.backup !== undefined && s.restore?.verified !== true);
}

/** What survives choosing a new image while the flow still owes the written drive something. */
export function keptAfterWrite(s: ReflashState): Partial<ReflashState> {
  if (!flowOwesDrive(s)) return {};
  const { device, writtenDevice, backup, backupDir, backupSkippedFor } = s;
  return Object.fromEntries(
    Object.entries({ device, writtenDevice, backup, backupDir, backupSkippedFor }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}

export function chooseDriveGate(s: ReflashState, device?: string): Gate {
  if (s.activeJob) return no('A step is still running: wait for it or cancel it.');
  if (!s.restoreOnly && !s.image) return no('Check an image first.');
  if (driveWritten(s) && device !== undefined && device !== s.writtenDevice && !s.restore?.verified)
    return no(
      `The flow has written ${s.writtenDevice}${s.backup ? ` and its backup ${s.backup.path} is not restored yet` : ''}; finish it before choosing another drive.`,
    );
  return OK;
}

/** A backup is taken only of a drive this flow has not written: after that it would copy the new image's files. */
export function backupGate(s: ReflashState): Gate {
  if (s.activeJob) return no('A step is still running: wait for it or cancel it.');
  if (!s.device) return no('Choose a drive first.');
  if (s.restoreOnly) return no('This flow restores an existing backup; it takes no new one.');
  if (driveWritten(s))
    return no(
      `${s.writtenDevice} already holds the new image${s.backup ? `; the backup to restore is ${s.backup.path}` : ''}. It is never backed up again.`,
    );
  return OK;
}

export function skipBackupGate(s: ReflashState, typed: string): Gate {
  const b = backupGate(s);
  if (!b.ok) return b;
  if (!confirmsDevice(typed, s.device!))
    return unconfirmed(`To flash without a backup, type the device name ${basename(s.device!)} exactly.`);
  return OK;
}

/** The rule this app exists for: no flash over data that is not safely copied (or explicitly given up). */
export function flashGate(s: ReflashState, typed: string): Gate {
  if (s.activeJob) return no('A step is still running: wait for it or cancel it.');
  const image = imageTrusted(s.image);
  if (!image.ok) return image;
  if (!s.device) return no('Choose a drive first.');
  if (s.restoreOnly) return no('This flow restores an existing backup; it does not flash.');
  if (!flashUnlocked(s)) return no(`Back up ${s.device} first (or skip the backup by typing its name).`);
  if (s.flash?.verified && s.writtenDevice === s.device)
    return no(`${s.device} is already flashed and verified; restore the backup next.`);
  // Every start, a retry after a cancel included, erases the drive: every start needs the name typed.
  if (!confirmsDevice(typed, s.device))
    return unconfirmed(`Type the device name ${basename(s.device)} to confirm erasing it.`);
  return OK;
}

export function restoreGate(s: ReflashState, typed?: string): Gate {
  if (s.activeJob) return no('A step is still running: wait for it or cancel it.');
  if (!s.backup) return no('There is no verified backup to restore.');
  if (!s.device) return no('Choose a drive first.');
  if (s.restoreOnly) {
    // Restoring onto a drive this flow did not just flash overwrites files on it: ask as for any overwrite.
    if (!confirmsDevice(typed, s.device))
      return unconfirmed(`Type the device name ${basename(s.device)} to confirm restoring onto it.`);
    return OK;
  }
  if (!(s.flash?.verified && s.writtenDevice === s.device))
    return no(`Flash ${s.device} first: the backup goes into the new image's persistence store.`);
  return OK;
}

const ORDER: ReflashStep[] = ['image', 'drive', 'backup', 'flash', 'restore', 'done'];

/** Which pages the user may open. Going back is free, except to what the written drive has made final. */
export function goToGate(s: ReflashState, step: ReflashStep): Gate {
  if (driveWritten(s) && ORDER.indexOf(step) < ORDER.indexOf('flash'))
    return no(
      `${s.writtenDevice} has been written: the image, the drive and the backup${s.backup ? ` (${s.backup.path})` : ''} are fixed now.`,
    );
  const reached = furthestStep(s);
  if (ORDER.indexOf(step) > ORDER.indexOf(reached)) return no(`Finish the ${reached} step first.`);
  return OK;
}

/** The furthest step the saved state allows. */
export function furthestStep(s: ReflashState): ReflashStep {
  if (s.restoreOnly) return s.restore?.verified ? 'done' : s.device ? 'restore' : 'drive';
  if (!s.image) return 'image';
  if (!s.device) return 'drive';
  if (!flashUnlocked(s)) return 'backup';
  if (!(s.flash?.verified && s.writtenDevice === s.device)) return 'flash';
  if (s.backup && !s.restore?.verified) return 'restore';
  return 'done';
}

/** Starting over would forget a verified backup that is not back on the drive: the user must say so by name. */
export function startOverGate(s: ReflashState, typed?: string): Gate {
  if (s.activeJob) return no('A step is still running: cancel it first.');
  if (startOverNeedsConfirmation(s) && !confirmsDevice(typed, s.writtenDevice!))
    return unconfirmed(
      `The backup ${s.backup?.path} is not restored onto ${s.writtenDevice} yet. Restore it, or type ${basename(s.writtenDevice!)} to start over anyway (the backup stays on disk).`,
    );
  return OK;
}
