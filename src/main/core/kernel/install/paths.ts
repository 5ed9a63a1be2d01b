import { isAbsolute, join, resolve } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';

// Where one host's kernel install lives on a root: its record, the heartbeat the booted kernel writes, and the
// default backup folder. Every path is under ROOT (`/` on the host itself, a temp dir in tests and chroots), so a
// test can never reach the machine's own /var/lib/kintsugi.

/** A host name as the fleet manifests spell it: it becomes a file name, so no slashes, no dots in front. */
const HOST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function checkHost(host: string): string {
  if (!HOST.test(host) || host.includes('..'))
    throw new KintsugiError('INVALID_ARGUMENT', `host ${JSON.stringify(host)} is not a host name`, {
      hint: 'Use the name of a fleet/<host>.yaml file: letters, digits, dot, dash, underscore.',
    });
  return host;
}

/** An absolute, normalised root folder. */
export function checkRoot(root: string): string {
  if (!isAbsolute(root))
    throw new KintsugiError('INVALID_ARGUMENT', `root ${JSON.stringify(root)} must be an absolute path`);
  return resolve(root);
}

export const isRealRoot = (root: string): boolean => resolve(root) === '/';

export const kintsugiVarDir = (root: string) => join(root, 'var/lib/kintsugi');
export const stateFile = (root: string, host: string) => join(kintsugiVarDir(root), 'kernel', `${host}.json`);
/** Written by the heartbeat unit (packaging/systemd): the booted kernel's `uname -r`. */
export const heartbeatFile = (root: string) => join(kintsugiVarDir(root), 'heartbeat');
export const defaultBackupDir = (root: string) => join(root, 'var/backups/kintsugi-kernel');

/** `<backup-dir>/<host>/<replaced_version>/`; a version's ':' (a deb epoch) would trouble scp and Windows shares. */
export const backupFolder = (backupDir: string, host: string, version: string) =>
  join(backupDir, host, version.replace(/[^A-Za-z0-9.+~_-]/g, '_'));
