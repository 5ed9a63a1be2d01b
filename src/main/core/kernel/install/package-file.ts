import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';
import type { PackageKind } from '../../../../shared/kernel/model';
import { runTool } from '../../util/run-tool';

// What the install needs to know about a kernel package before anything changes: that it is a local file of the
// manifest's kind, its name, version and architecture (dpkg-deb -f; pacman's .PKGINFO), the kernel release it
// carries (its usr/lib/modules/<release>/ folder) and how many bytes it puts under /boot.

export interface PackageInfo {
  file: string;
  sha256: string;
  name: string;
  version: string;
  arch: string;
  kernelRelease: string;
  /** Bytes of the package's own files under boot/. */
  bootBytes: number;
}

const bad = (detail: string) => new KintsugiError('KERNEL_INSTALL_BAD_PACKAGE', detail);

/** A local file only: a URL or a relative path is refused, not fetched or guessed at. */
export async function checkPackagePath(file: string, kind: PackageKind): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(file))
    throw bad(`${file} is a URL; copy the package here and pass its path`);
  if (!isAbsolute(file)) throw bad(`${file} is not an absolute path`);
  const path = resolve(file);
  const s = await stat(path).catch(() => null);
  if (!s?.isFile()) throw bad(`${path} is not a regular file`);
  const ok = kind === 'deb' ? path.endsWith('.deb') : /\.pkg\.tar(\.(zst|xz|gz|bz2))?$/.test(path);
  if (!ok)
    throw bad(
      `${basename(path)} is not a ${kind === 'deb' ? '.deb' : '.pkg.tar.*'} file, which the manifest asks for`,
    );
  return path;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface ListedFile {
  path: string;
  size: number;
  regular: boolean;
}

/** `tar -tv` and `dpkg-deb -c` print the same columns: mode owner size date time path. */
export function parseTarListing(text: string): ListedFile[] {
  const out: ListedFile[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    const path = m[3]!
      .replace(/ -> .*$/, '')
      .replace(/^\.\//, '')
      .replace(/\/$/, '');
    if (path) out.push({ path, size: Number(m[2]), regular: m[1] === '-' });
  }
  return out;
}

/** The kernel releases whose modules folder these paths (absolute or relative to the root) reach into. */
export function releasesIn(paths: string[]): string[] {
  const releases = new Set<string>();
  for (const p of paths) {
    // A path inside the release folder; the folder's own entry alone says nothing.
    const m = /^\/?(?:usr\/)?lib\/modules\/([^/]+)\/./.exec(p);
    if (m) releases.add(m[1]!);
  }
  return [...releases];
}

/** The release the package carries: the one folder under usr/lib/modules (or lib/modules). */
export function kernelReleaseOf(files: ListedFile[], file: string): string {
  const releases = releasesIn(files.map((f) => f.path));
  if (releases.length !== 1)
    throw bad(
      `${file} carries ${releases.length ? `several kernel releases (${releases.join(', ')})` : 'no usr/lib/modules/<release>/ files'}; it is not one kernel`,
    );
  return releases[0]!;
}

const bootBytesOf = (files: ListedFile[]) =>
  files.filter((f) => f.regular && f.path.startsWith('boot/')).reduce((a, f) => a + f.size, 0);

export async function readPackage(path: string, kind: PackageKind): Promise<PackageInfo> {
  const run = (file: string, args: string[]) =>
    runTool(file, args).catch((err: unknown) => {
      throw new KintsugiError('KERNEL_INSTALL_BAD_PACKAGE', `${basename(path)} cannot be read by ${file}`, {
        cause: err,
      });
    });
  let name: string, version: string, arch: string, listing: string;
  if (kind === 'deb') {
    const fields = (await run('dpkg-deb', ['--field', path, 'Package', 'Version', 'Architecture'])).stdout;
    const f = Object.fromEntries(
      fields.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
    );
    [name, version, arch] = [f['Package'] ?? '', f['Version'] ?? '', f['Architecture'] ?? ''];
    listing = (await run('dpkg-deb', ['--contents', path])).stdout;
  } else {
    const info = parsePkgInfo((await run('tar', ['-xOf', path, '.PKGINFO'])).stdout);
    [name, version, arch] = [info['pkgname'] ?? '', info['pkgver'] ?? '', info['arch'] ?? ''];
    listing = (await run('tar', ['-tvf', path])).stdout;
  }
  if (!name || !version) throw bad(`${basename(path)} names no package name or version`);
  const files = parseTarListing(listing);
  return {
    file: path,
    sha256: await sha256File(path),
    name,
    version,
    arch,
    kernelRelease: kernelReleaseOf(files, basename(path)),
    bootBytes: bootBytesOf(files),
  };
}

/** .PKGINFO: `key = value` lines (a key may repeat, e.g. depend; the first of each is enough here). */
export function parsePkgInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z_]+)\s*=\s*(.*)$/.exec(line);
    if (m && !(m[1]! in out)) out[m[1]!] = m[2]!.trim();
  }
  return out;
}
