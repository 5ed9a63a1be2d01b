import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { startLocalServer } from './local-server';

// Real apt against a throwaway root (after /work/shared/recipes/apt-throwaway-root.sh): a local repository of
// packages built here with dpkg-deb, a root with its own dpkg database, and an APT_CONFIG that points apt and
// dpkg there. `aptEnv` refuses to hand out the environment unless apt itself says its Dir is the throwaway root:
// without that guard a mis-scoped APT_CONFIG would install into the machine running the tests.
// The Packages index is written here (dpkg-deb's control fields + Filename, Size, SHA256), so apt-utils'
// apt-ftparchive is not needed. For the OS-update tests: several repositories with a Release file each (Origin,
// Suite: a `-security` suite), served over HTTP on 127.0.0.1 (serveDirectory), a root whose dpkg database starts
// with packages really installed by dpkg (installDebs), so apt has something to upgrade.

export interface FakePackage {
  name: string;
  version: string;
  /** A command installed as /usr/bin/<binary> that prints "<name> <version>" for --version. */
  binary?: string;
  depends?: string;
  /** Debian architecture; 'all' unless said. */
  architecture?: string;
  /** Extra files by path inside the package (e.g. boot/vmlinuz-6.6.2): a kernel package's image and modules. */
  files?: Record<string, string | Uint8Array>;
}

/** Builds P in DIR/build and puts the .deb in REPO/pool (default DIR/repo). */
export async function buildDeb(
  dir: string,
  p: FakePackage,
  repo: string = join(dir, 'repo'),
): Promise<string> {
  const root = join(dir, 'build', `${p.name}_${p.version}`);
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  const control = [
    `Package: ${p.name}`,
    `Version: ${p.version}`,
    `Architecture: ${p.architecture ?? 'all'}`,
    'Maintainer: Kintsugi tests <t@example.invalid>',
    ...(p.depends ? [`Depends: ${p.depends}`] : []),
    `Description: fake ${p.name} for the frameworks tests`,
    '',
  ].join('\n');
  await writeFile(join(root, 'DEBIAN', 'control'), control);
  if (p.binary) {
    await mkdir(join(root, 'usr', 'bin'), { recursive: true });
    const bin = join(root, 'usr', 'bin', p.binary);
    await writeFile(bin, `#!/bin/sh\necho "${p.name} ${p.version}"\n`);
    await chmod(bin, 0o755);
  }
  for (const [path, content] of Object.entries(p.files ?? {})) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  const out = join(repo, 'pool');
  await mkdir(out, { recursive: true });
  const file = join(out, `${p.name}_${p.version}_${p.architecture ?? 'all'}.deb`);
  await execa('dpkg-deb', ['-Zgzip', '--root-owner-group', '--build', root, file]);
  return file;
}

export interface RepoRelease {
  origin: string;
  suite: string;
}

async function writeIndex(repo: string, release?: RepoRelease): Promise<void> {
  const stanzas: string[] = [];
  for (const f of (await readdir(join(repo, 'pool'))).filter((n) => n.endsWith('.deb')).sort()) {
    const path = join(repo, 'pool', f);
    const bytes = await readFile(path);
    const { stdout } = await execa('dpkg-deb', ['--field', path]);
    stanzas.push(
      `${stdout.trim()}\nFilename: ./pool/${f}\nSize: ${bytes.length}\nSHA256: ${createHash('sha256').update(bytes).digest('hex')}\n`,
    );
  }
  const packages = stanzas.join('\n');
  await writeFile(join(repo, 'Packages'), packages);
  if (!release) return;
  // A flat repository's Release: where the Origin and Suite apt shows come from, with the index's hash.
  const sha = createHash('sha256').update(packages).digest('hex');
  await writeFile(
    join(repo, 'Release'),
    `Origin: ${release.origin}\nLabel: ${release.origin}\nSuite: ${release.suite}\n` +
      `Date: ${new Date().toUTCString()}\nSHA256:\n ${sha} ${Buffer.byteLength(packages)} Packages\n`,
  );
}

/** A flat repository at REPO holding PACKAGES (built under DIR), with a Release file when RELEASE is given. */
export async function buildRepo(
  dir: string,
  repo: string,
  packages: FakePackage[],
  release?: RepoRelease,
): Promise<string> {
  for (const p of packages) await buildDeb(dir, p, repo);
  await writeIndex(repo, release);
  return repo;
}

/** Serves DIR's files over HTTP on 127.0.0.1 (a free port): apt's http method, as a real mirror. */
export async function serveDirectory(dir: string): Promise<Awaited<ReturnType<typeof startLocalServer>>> {
  return startLocalServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.includes('..')) return void res.writeHead(400).end();
    readFile(join(dir, path)).then(
      (body) => {
        const type = extname(path) === '.deb' ? 'application/vnd.debian.binary-package' : 'text/plain';
        res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
}

/**
 * The OS-updates tests' mirror: a `main` repository (suite stable) and a `security` one (suite stable-security,
 * same Origin, so only the suite says "security"), both served on 127.0.0.1; `sources` are their sources.list lines.
 */
export async function serveMainAndSecurity(
  dir: string,
  main: FakePackage[],
  security: FakePackage[],
): Promise<{ server: Awaited<ReturnType<typeof serveDirectory>>; sources: string[] }> {
  await buildRepo(dir, join(dir, 'www/main'), main, { origin: 'Test', suite: 'stable' });
  await buildRepo(dir, join(dir, 'www/security'), security, { origin: 'Test', suite: 'stable-security' });
  const server = await serveDirectory(join(dir, 'www'));
  return {
    server,
    sources: [`deb [trusted=yes] ${server.base}/main ./`, `deb [trusted=yes] ${server.base}/security ./`],
  };
}

export interface AptRoot {
  root: string;
  env: Record<string, string>;
}

/** A throwaway root at DIR/root whose dpkg database starts empty, served PACKAGES from a file: repository. */
export async function aptRoot(dir: string, packages: FakePackage[]): Promise<AptRoot> {
  const repo = await buildRepo(dir, join(dir, 'repo'), packages);
  const a = await emptyRoot(dir, [`deb [trusted=yes] file:${repo} ./`]);
  await execa('apt-get', ['-q', 'update'], { env: a.env });
  return a;
}

/**
 * A throwaway root at DIR/root (empty dpkg database) whose sources.list holds SOURCES (lines as written, so a test
 * can write a broken one), with the guarded APT_CONFIG at DIR/apt.conf. No `apt-get update` yet.
 */
export async function emptyRoot(dir: string, sources: string[]): Promise<AptRoot> {
  const R = join(dir, 'root');
  for (const d of [
    'etc/apt/apt.conf.d',
    'etc/apt/preferences.d',
    'etc/apt/sources.list.d',
    'var/lib/apt/lists/partial',
    'var/cache/apt/archives/partial',
    'var/lib/dpkg/info',
    'var/lib/dpkg/updates',
    'var/log/apt',
    'usr/bin',
  ])
    await mkdir(join(R, d), { recursive: true });
  await writeFile(join(R, 'var/lib/dpkg/status'), '');
  await writeFile(join(R, 'etc/apt/sources.list'), sources.map((l) => `${l}\n`).join(''));
  const conf = join(dir, 'apt.conf');
  await writeFile(
    conf,
    `Dir "${R}/"; Dir::State::status "${R}/var/lib/dpkg/status"; APT::Architecture "amd64";\n` +
      `DPkg::Options { "--root=${R}"; "--admindir=${R}/var/lib/dpkg"; "--force-not-root"; "--log=${R}/var/log/dpkg.log"; };\n`,
  );
  const env = {
    ...(process.env as Record<string, string>),
    APT_CONFIG: conf,
    // The throwaway root's binaries first: that is where an installed framework's command lands.
    PATH: `${join(R, 'usr/bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
  };
  const { stdout } = await execa('apt-config', ['shell', 'D', 'Dir'], { env });
  if (stdout.trim() !== `D='${R}/'`) throw new Error(`refusing: apt is not isolated (${stdout.trim()})`);
  return { root: R, env };
}

/** Installs DEBS into the throwaway root with dpkg itself (the guarded config's root and admindir). */
export async function installDebs(
  a: AptRoot,
  debs: string[],
  action: '--install' | '--unpack' = '--install',
): Promise<void> {
  await execa(
    'dpkg',
    [
      `--root=${a.root}`,
      `--admindir=${join(a.root, 'var/lib/dpkg')}`,
      `--log=${join(a.root, 'var/log/dpkg.log')}`,
      action,
      ...debs,
    ],
    { env: a.env },
  );
}

/** The packages the throwaway root's dpkg database lists as installed. */
export async function installedPackages(a: AptRoot): Promise<string[]> {
  const { stdout } = await execa(
    'dpkg-query',
    ['--admindir', join(a.root, 'var/lib/dpkg'), '-W', '-f', '${db:Status-Abbrev} ${Package}\n'],
    { env: a.env, reject: false },
  );
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('ii'))
    .map((l) => l.split(/\s+/)[1]!);
}
