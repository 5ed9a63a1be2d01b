import { KintsugiError } from '../../../shared/errors';

// A backup keeps owners, modes, hard links, ACLs and xattrs. FAT and exFAT (the usual format of a spare USB
// disk) and NTFS through FUSE hold none of that faithfully: refuse them before copying, with words the user can act on.

const UNFIT_FS: Record<number, string> = {
  0x4d44: 'FAT (vfat)',
  0x2011bab0: 'exFAT',
  0x65735546: 'a FUSE filesystem (e.g. NTFS or exFAT through FUSE)',
  0x5346544e: 'NTFS',
  0x7366746e: 'NTFS (ntfs3)',
};

/** Pure: a reason the filesystem type (statfs f_type) cannot hold a faithful copy, or undefined. */
export function unfitFilesystem(fsType: number): string | undefined {
  return UNFIT_FS[fsType];
}

export function assertFitFilesystem(path: string, fsType: number): void {
  const name = unfitFilesystem(fsType);
  if (name)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${path} is on ${name}, which cannot keep owners, permissions, hard links, ACLs and xattrs`,
      { hint: 'Choose a destination formatted ext4, btrfs or xfs.' },
    );
}
