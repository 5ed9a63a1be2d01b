import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { toolError } from '../util/run-tool';

// makepkg, run the same way every time. It refuses to run as root, so when this process is root it runs as an
// unprivileged build user (runuser -u USER; default `nobody`), who owns the build folder (the caller chowns it)
// and must be able to reach it: every parent folder needs o+x. Its environment is fixed, not inherited: LC_ALL=C,
// TZ=UTC, HOME inside the build folder, no user makepkg.conf, SOURCE_DATE_EPOCH from the baseline commit, so two
// builds of the same promote give the same package bytes. Each output line goes to the job log as it comes.

export interface MakepkgRun {
  buildDir: string;
  /** Extra makepkg arguments (--printsrcinfo, or the build flags). */
  args: string[];
  sourceDateEpoch: number;
  /** Set when this process is root: the user makepkg runs as. */
  asUser?: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

export function makepkgEnv(buildDir: string, sourceDateEpoch: number): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: join(buildDir, 'home'),
    XDG_CONFIG_HOME: join(buildDir, 'home', '.config'),
    LC_ALL: 'C',
    LANG: 'C',
    TZ: 'UTC',
    SOURCE_DATE_EPOCH: String(sourceDateEpoch),
    PKGDEST: join(buildDir, 'pkgs'),
    SRCDEST: buildDir,
    LOGDEST: buildDir,
    BUILDDIR: buildDir,
  };
}

/** The makepkg.conf we pass with --config: the system one, then our fixed choices on top. */
export function makepkgConf(arch: string): string {
  return [
    'source /etc/makepkg.conf',
    `CARCH='${arch}'`,
    `CHOST='${arch}-linux-gnu'`,
    "PKGEXT='.pkg.tar.zst'",
    "SRCEXT='.src.tar.zst'",
    'COMPRESSZST=(zstd -c -z -q -T1 -)',
    'BUILDENV=(!distcc !color !ccache check !sign)',
    "PACKAGER='Kintsugi Updater <kintsugi-updater@localhost>'",
    '',
  ].join('\n');
}

export const isRoot = () => process.getuid?.() === 0;

export async function runMakepkg(
  r: MakepkgRun,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return runAsBuilder('makepkg', ['--config', join(r.buildDir, 'makepkg.conf'), ...r.args], r);
}

/** Runs FILE in the build folder as the build user (when root), with the fixed build environment. */
export async function runAsBuilder(
  program: string,
  argv: string[],
  r: Omit<MakepkgRun, 'args'>,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const [file, args] = r.asUser ? ['runuser', ['-u', r.asUser, '--', program, ...argv]] : [program, argv];
  const child = execa(file, args, {
    cwd: r.buildDir,
    env: makepkgEnv(r.buildDir, r.sourceDateEpoch),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    shell: false,
    cancelSignal: r.signal,
    killSignal: 'SIGTERM',
  });
  let buffered = '';
  const feed = (b: Buffer) => {
    buffered += b.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const l of lines) r.onLine?.(l);
  };
  child.stdout?.on('data', feed);
  child.stderr?.on('data', feed);
  const res = await child;
  if (buffered) r.onLine?.(buffered);
  if ((res as { code?: string }).code === 'ENOENT' || /ENOENT/.test(res.message ?? ''))
    throw toolError(file, Object.assign(new Error('missing'), { code: 'ENOENT' }));
  if (res.isCanceled) throw new KintsugiError('CANCELLED', `${program} was cancelled`);
  return { stdout: String(res.stdout ?? ''), stderr: String(res.stderr ?? ''), exitCode: res.exitCode ?? -1 };
}

/** Checks the rendered PKGBUILD with `makepkg --printsrcinfo` and returns the .SRCINFO text. */
export async function printSrcinfo(r: Omit<MakepkgRun, 'args'>): Promise<string> {
  const res = await runMakepkg({ ...r, args: ['--printsrcinfo'] });
  if (res.exitCode !== 0 || !/^pkgbase = /m.test(res.stdout))
    throw new KintsugiError(
      'KERNEL_TEMPLATE_INVALID',
      `makepkg --printsrcinfo failed (exit ${res.exitCode}): ${res.stderr.trim().split('\n').slice(-5).join(' | ')}`,
    );
  return res.stdout;
}

/** The build's log files (makepkg --log writes <pkg>-<ver>-<rel>-<arch>-<step>.log into LOGDEST). */
export async function makepkgLogs(buildDir: string): Promise<string[]> {
  return (await readdir(buildDir))
    .filter((n) => n.endsWith('.log'))
    .sort()
    .map((n) => join(buildDir, n));
}

export async function logTail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
