import { chmod, copyFile, lstat, mkdir, readdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { KintsugiError } from '../../../../shared/errors';
import type { PackageKind } from '../../../../shared/kernel/model';
import { saveJsonFile } from '../../util/json-file';
import { fsyncPath } from '../../util/fsync';
import { freeSpaceNear } from '../../util/free-space';
import { sha256File } from './package-file';

// The replaced kernel, kept before the new one goes in: its image(s), initramfs and modules, copied to
// <backup-dir>/<host>/<version>/files/<path under the root> and checked byte for byte (sha256 of the copy against
// the original). backup.json, written last and atomically, is the mark that the backup is whole; a rollback
// checks every file against it before putting anything back.

export const backupEntrySchema = z.object({
  path: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  mode: z.number().int(),
});
export const backupRecordSchema = z.object({
  schema: z.literal(1),
  host: z.string(),
  version: z.string(),
  kernelRelease: z.string().nullable(),
  createdAt: z.string(),
  files: z.array(backupEntrySchema),
  /** The replaced version's package file, when the root's cache still had it: a rollback downgrades with it. */
  packageArchive: z.string().nullable(),
});
export type BackupRecord = z.infer<typeof backupRecordSchema>;
export type BackupEntry = z.infer<typeof backupEntrySchema>;

const KERNEL_DIRS = ['/boot/', '/usr/lib/modules/', '/lib/modules/'];

/** Which files to keep: the package's own under /boot and the modules folders, and what /boot holds for its
 * release that no package owns (initramfs, System.map written by triggers). Paths are relative to the root. */
export async function filesToBackUp(
  root: string,
  owned: string[],
  kernelRelease: string | null,
  pkgName: string,
): Promise<{ path: string; size: number }[]> {
  const candidates = owned.filter((p) => KERNEL_DIRS.some((d) => p.startsWith(d)));
  const generated = (await readdir(join(root, 'boot')).catch(() => [] as string[])).filter(
    (n) =>
      (kernelRelease !== null && (n.endsWith(`-${kernelRelease}`) || n.includes(`-${kernelRelease}.`))) ||
      n === `initramfs-${pkgName}.img` ||
      n === `initramfs-${pkgName}-fallback.img`,
  );
  candidates.push(...generated.map((n) => `/boot/${n}`));
  const seen = new Set<string>();
  const out: { path: string; size: number }[] = [];
  for (const p of candidates) {
    const abs = join(root, p);
    const s = await lstat(abs).catch(() => null);
    if (!s?.isFile()) continue;
    // /lib may be a link to /usr/lib: one file listed twice is kept once.
    const real = await realpath(abs);
    if (seen.has(real)) continue;
    seen.add(real);
    out.push({ path: p.replace(/^\/+/, ''), size: s.size });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Refuses before anything changes: /boot must hold the new kernel beside the old, the backup folder its copy. */
export async function checkRoom(o: {
  root: string;
  newBootBytes: number;
  backupFolder: string;
  backupBytes: number;
}): Promise<void> {
  const boot = await freeSpaceNear(join(o.root, 'boot'));
  if (boot.free < o.newBootBytes)
    throw new KintsugiError(
      'KERNEL_INSTALL_NO_ROOM',
      `${boot.path} has ${boot.free} bytes free; the new kernel needs ${o.newBootBytes} there beside the old one`,
    );
  const b = await freeSpaceNear(o.backupFolder).catch((err: unknown) => {
    throw backupFailed(o.backupFolder, err);
  });
  if (b.free < o.backupBytes)
    throw new KintsugiError(
      'KERNEL_INSTALL_BACKUP_FAILED',
      `${b.path} has ${b.free} bytes free; the backup needs ${o.backupBytes}`,
    );
}

const backupFailed = (where: string, err: unknown) =>
  new KintsugiError('KERNEL_INSTALL_BACKUP_FAILED', `${where}: ${(err as Error).message}`, { cause: err });

export async function writeBackup(o: {
  root: string;
  folder: string;
  host: string;
  version: string;
  kernelRelease: string | null;
  files: { path: string; size: number }[];
  packageArchive: string | null;
}): Promise<BackupRecord> {
  try {
    // A backup left half-written by a crash is redone whole; backup.json goes first so it never vouches for it.
    await rm(join(o.folder, 'backup.json'), { force: true });
    await rm(join(o.folder, 'files'), { recursive: true, force: true });
    await rm(join(o.folder, 'package'), { recursive: true, force: true });
    const entries: BackupEntry[] = [];
    for (const f of o.files) {
      const src = join(o.root, f.path);
      const dest = join(o.folder, 'files', f.path);
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(src, dest);
      await fsyncPath(dest);
      const [a, b] = await Promise.all([sha256File(src), sha256File(dest)]);
      if (a !== b) throw new Error(`the copy of ${f.path} differs from the original`);
      entries.push({ path: f.path, size: f.size, sha256: a, mode: (await lstat(src)).mode & 0o7777 });
    }
    let archive: string | null = null;
    if (o.packageArchive) {
      archive = join('package', o.packageArchive.split('/').pop()!);
      await mkdir(join(o.folder, 'package'), { recursive: true });
      await copyFile(o.packageArchive, join(o.folder, archive));
      await fsyncPath(join(o.folder, archive));
    }
    const rec: BackupRecord = {
      schema: 1,
      host: o.host,
      version: o.version,
      kernelRelease: o.kernelRelease,
      createdAt: new Date().toISOString(),
      files: entries,
      packageArchive: archive,
    };
    await saveJsonFile(join(o.folder, 'backup.json'), rec);
    return rec;
  } catch (err) {
    throw err instanceof KintsugiError ? err : backupFailed(o.folder, err);
  }
}

/** The backup's record, with every file checked against it; any difference refuses the whole restore. */
export async function verifiedBackup(folder: string): Promise<BackupRecord> {
  const damaged = (detail: string, cause?: unknown) =>
    new KintsugiError('KERNEL_BACKUP_DAMAGED', `${folder}: ${detail}`, { cause });
  let rec: BackupRecord;
  try {
    rec = backupRecordSchema.parse(JSON.parse(await readFile(join(folder, 'backup.json'), 'utf8')));
  } catch (err) {
    throw damaged('backup.json is missing or unreadable', err);
  }
  for (const f of rec.files) {
    const sum = await sha256File(join(folder, 'files', f.path)).catch(() => null);
    if (sum !== f.sha256) throw damaged(`${f.path} ${sum === null ? 'is missing' : 'has changed'}`);
  }
  return rec;
}

/** Puts every backed-up file back at its place under the root (temp + rename), checked after the write. */
export async function restoreBackup(root: string, folder: string, rec: BackupRecord): Promise<number> {
  for (const f of rec.files) {
    const dest = join(root, f.path);
    const tmp = `${dest}.kintsugi-restore`;
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(join(folder, 'files', f.path), tmp);
    await chmod(tmp, f.mode);
    await fsyncPath(tmp);
    await rename(tmp, dest);
    if ((await sha256File(dest)) !== f.sha256)
      throw new KintsugiError('KERNEL_ROLLBACK_FAILED', `${dest} does not match its backup after the copy`);
  }
  return rec.files.length;
}

/** The replaced version's package file in the root's own cache, if it is still there. */
export async function cachedPackage(
  root: string,
  kind: PackageKind,
  name: string,
  version: string,
): Promise<string | null> {
  const dir = join(root, kind === 'deb' ? 'var/cache/apt/archives' : 'var/cache/pacman/pkg');
  // A deb file name drops the epoch and escapes ':' as %3a; pacman's keeps the version as it is.
  const v = kind === 'deb' ? version.replace(/^\d+:/, '') : version;
  const prefix = kind === 'deb' ? `${name}_${v}_` : `${name}-${v}-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const hit = names.find(
    (n) => n.startsWith(prefix) && (kind === 'deb' ? n.endsWith('.deb') : /\.pkg\.tar(\.\w+)?$/.test(n)),
  );
  return hit ? join(dir, hit) : null;
}
