import { KintsugiError } from '../../../shared/errors';
import { isPathOnDrive } from '../drives/identity';

// A backup is taken so a drive can be reflashed. Stored on that same drive (in a folder on one of its mounted
// partitions), it is erased by the very flash it was meant to survive. runBackup refuses it for every caller;
// the reflash flow asks the same question earlier, before it starts a job.

/** Throws INVALID_ARGUMENT when destRoot is stored on drive (a canonical whole disk, /dev/<name>). */
export async function refuseDestOnDrive(
  destRoot: string,
  drive: string,
  onDrive: (path: string, drive: string) => Promise<boolean> = isPathOnDrive,
): Promise<void> {
  if (await onDrive(destRoot, drive))
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `the backup folder ${destRoot} is stored on ${drive}, the drive being backed up: it will be erased when that drive is reflashed`,
      { hint: 'Choose a backup folder on another drive.' },
    );
}
