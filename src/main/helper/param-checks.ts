import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KintsugiError, type ErrorCode } from '../../shared/errors';
import { listBackups } from '../core/backup/list';
import { canonicalWholeDisk } from '../core/drives/identity';
import { backupUsable } from '../../shared/backup/usable';

// The checks authorize.ts composes, one per kind of parameter. Each returns the canonical form of what it was
// given (the real path, the kernel's device name), which is what the helper then runs, or throws saying what was
// refused and what to do instead. "The user" is the invoking user (invoker.ts), never root.

/** The drive safety rules (resolveTargetDrive in production): throws a DRIVE_* KintsugiError. */
export type CheckDrive = (
  device: string,
  opts: { includeLoop: boolean; imagePath?: string },
) => Promise<{ device: string }>;

/**
 * A whole-disk block device passing every safety rule, as /dev/<kernel name>. Symlinks and other spellings are
 * followed first, so the rules (the loop opt-in included) judge the device, not how it was written.
 * `elsewhere` says where a folder or an image file can be used instead (the CLI runs those as root itself).
 */
export async function checkedDrive(
  path: string,
  role: string,
  opts: { includeLoop: boolean; imagePath?: string },
  checkDrive: CheckDrive,
  elsewhere: string,
): Promise<string> {
  const st = await stat(path).catch(() => null);
  if (st?.isDirectory() || st?.isFile())
    throw new KintsugiError(
      'DRIVE_NOT_WHOLE_DISK',
      `${role} ${path} is ${st.isDirectory() ? 'a directory' : 'a regular file'}: the privileged helper works on whole drives only`,
      { hint: elsewhere },
    );
  const device = await canonicalWholeDisk(path);
  const drive = await checkDrive(device, opts);
  return drive.device;
}

/**
 * A regular file the user could read without root: owned by them or readable by everyone, judged on the file the
 * path really leads to. Root must not copy a file the user may not read (/etc/shadow) onto a device they can read.
 */
export async function userReadableFile(
  path: string,
  role: string,
  uid: number,
  missing: ErrorCode,
): Promise<string> {
  const real = await realpath(path).catch(() => {
    throw new KintsugiError(missing, `${role} ${path} does not exist`);
  });
  const st = await stat(real);
  if (!st.isFile())
    throw new KintsugiError('INVALID_ARGUMENT', `${role} ${path} is not a regular file`, {
      hint: 'Choose the file itself.',
    });
  if (st.uid !== uid && (st.mode & 0o004) === 0)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${role} ${describe(path, real)} belongs to uid ${st.uid} with mode ${mode(st.mode)}: you (uid ${uid}) could not read it yourself, so the helper will not read it for you`,
      {
        hint: 'Use a copy you own, or make the file readable by everyone (chmod o+r) if it is meant to be shared.',
      },
    );
  return real;
}

/** An existing directory owned by the user (by root only when the user is root), as its real path. */
export async function userOwnedDirectory(path: string, role: string, uid: number): Promise<string> {
  const real = await realDirectory(path, role, 'INVALID_ARGUMENT');
  const st = await stat(real);
  if (st.uid !== uid)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${role} ${describe(path, real)} belongs to uid ${st.uid}, not to you (uid ${uid})`,
      { hint: 'Choose a folder of your own, e.g. in your home folder.' },
    );
  return real;
}

/**
 * One verified backup the user may restore from: a folder whose manifest names it and says verified (the rule
 * core/backup/list.ts defines), owned by the user or sitting directly in a folder the user owns. The second case
 * is the normal one: a backup made by the helper takes the owner of the store's root (rsync -a copies it, usually
 * root), inside the destination the user chose and owns.
 */
export async function userBackup(path: string, uid: number): Promise<string> {
  const { real, found } = await userBackupFolder(path, uid);
  if (!found || !backupUsable(found.manifest, found.lastCheck))
    throw new KintsugiError(
      'BACKUP_NOT_FOUND',
      `${describe(path, real)} is not a verified Kintsugi backup (${found ? (found.lastCheck?.ok === false ? 'its last check found it damaged' : 'never verified') : 'no manifest naming this folder'})`,
      {
        hint: 'Choose one backup folder made by Kintsugi (kintsugi-backup-...), not the folder holding them.',
      },
    );
  return real;
}

/**
 * A Kintsugi backup folder of the user's (the same ownership rule as userBackup), usable or not: a check may
 * look at a backup whose last check failed, or that was never verified, and say so. Only a folder whose
 * manifest names it: the helper never reads (or records a check into) an arbitrary folder as root.
 */
export async function userCheckableBackup(path: string, uid: number): Promise<string> {
  const { real, found } = await userBackupFolder(path, uid);
  if (!found)
    throw new KintsugiError(
      'BACKUP_NOT_FOUND',
      `${describe(path, real)} is not a Kintsugi backup (no manifest naming this folder)`,
      {
        hint: 'Choose one backup folder made by Kintsugi (kintsugi-backup-...), not the folder holding them.',
      },
    );
  return real;
}

async function userBackupFolder(path: string, uid: number) {
  const real = await realDirectory(path, 'backup', 'BACKUP_NOT_FOUND');
  const parent = dirname(real);
  const [st, up] = await Promise.all([stat(real), stat(parent)]);
  if (st.uid !== uid && up.uid !== uid)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `backup ${describe(path, real)} belongs to uid ${st.uid}, in a folder of uid ${up.uid}: neither is you (uid ${uid})`,
      { hint: 'Restore a backup kept in a folder of your own.' },
    );
  const found = (await listBackups(parent)).find((b) => b.path === real);
  return { real, found };
}

async function realDirectory(path: string, role: string, missing: ErrorCode): Promise<string> {
  const real = await realpath(path).catch(() => {
    throw new KintsugiError(missing, `${role} ${path} does not exist`);
  });
  if (!(await stat(real)).isDirectory())
    throw new KintsugiError('INVALID_ARGUMENT', `${role} ${describe(path, real)} is not a directory`);
  return real;
}

function describe(path: string, real: string): string {
  return path === real ? path : `${path} (${real})`;
}

function mode(m: number): string {
  return `0${(m & 0o7777).toString(8).padStart(3, '0')}`;
}
