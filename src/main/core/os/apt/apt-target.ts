import { mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';
import { runTool } from '../../util/run-tool';
import { aptEnv } from './apt-env';

// Points apt and dpkg at one root. For a root other than /, apt gets a generated APT_CONFIG in a temp folder (Dir,
// Dir::State::status, dpkg's --root/--admindir/--log): never `-o Dir=...` on the command line, because apt reads
// the config files of the Dir it starts with (the host's /etc/apt/apt.conf.d, with its hooks) BEFORE it reads -o;
// and never by editing anyone's files. Then the guard (shared/recipes/apt-throwaway-root.sh): apt-config, run with
// that very config and environment, must say Dir is the root; otherwise nothing runs, since a mis-scoped config
// would upgrade the machine itself.

export interface AptTarget {
  /** The canonical root (realpath). */
  root: string;
  /** dpkg's database folder of that root. */
  admindir: string;
  /** The fixed environment every apt/dpkg call of this target runs with. */
  env: Record<string, string>;
  /** Options dpkg needs when run directly (apt gets them from the config). */
  dpkgArgs: string[];
  /** Removes the generated config folder. */
  dispose(): Promise<void>;
}

/** Characters that would end or break a quoted string in apt.conf. */
const UNSAFE_IN_APT_CONF = /["{};\\\n\r\0]/;

export async function openAptTarget(rootOption: string): Promise<AptTarget> {
  if (typeof rootOption !== 'string' || !isAbsolute(rootOption) || UNSAFE_IN_APT_CONF.test(rootOption))
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `root must be an absolute path without quotes, braces, ; or backslashes: ${JSON.stringify(rootOption)}`,
    );
  const root = await realpath(rootOption).catch(() => {
    throw new KintsugiError('OS_ROOT_NOT_FOUND', `${rootOption} does not exist`);
  });
  if (UNSAFE_IN_APT_CONF.test(root))
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${rootOption} resolves to ${JSON.stringify(root)}, which apt.conf cannot quote`,
    );
  if (!(await stat(root)).isDirectory())
    throw new KintsugiError('OS_ROOT_NOT_FOUND', `${rootOption} is not a folder`);
  const admindir = root === '/' ? '/var/lib/dpkg' : join(root, 'var/lib/dpkg');
  if (!(await stat(join(admindir, 'status')).catch(() => null))?.isFile())
    throw new KintsugiError(
      'OS_ROOT_NOT_FOUND',
      `${rootOption} has no dpkg database (${join(admindir, 'status')}): it is not a Debian-style system`,
    );

  if (root === '/') {
    const target = { root, admindir, env: aptEnv(), dpkgArgs: [], dispose: async () => {} };
    await guard(target);
    return target;
  }
  const confDir = await mkdtemp(join(tmpdir(), 'kintsugi-apt-'));
  const conf = join(confDir, 'apt.conf');
  const dpkgArgs = [`--root=${root}`, `--admindir=${admindir}`, `--log=${join(root, 'var/log/dpkg.log')}`];
  await mkdir(join(confDir, 'no-parts'));
  await writeFile(conf, await rootAptConf(root, admindir, dpkgArgs, confDir));
  const target = {
    root,
    admindir,
    env: aptEnv(conf),
    dpkgArgs,
    dispose: () => rm(confDir, { recursive: true, force: true }),
  };
  try {
    await guard(target);
  } catch (err) {
    await target.dispose();
    throw err;
  }
  return target;
}

/**
 * Hooks an apt config can name: shell commands apt runs itself, on the host and not chrooted, whatever dpkg's
 * --root. A mounted image's own apt.conf.d must not get to run commands on the machine updating it.
 */
export const APT_HOOK_KEYS = [
  'DPkg::Pre-Invoke',
  'DPkg::Post-Invoke',
  'DPkg::Pre-Install-Pkgs',
  'APT::Update::Pre-Invoke',
  'APT::Update::Post-Invoke',
  'APT::Update::Post-Invoke-Success',
] as const;

/**
 * The APT_CONFIG for a root other than /. apt would read the root's apt.conf.d and apt.conf after this file, so
 * their hooks could not be cleared here; instead apt is told to read no parts and no main file of its own
 * (an empty folder, a missing file) and this file includes the root's, in apt's own order (parts, then main),
 * then clears the hook lists. The root's other settings (proxy, retries, pinning) still apply.
 */
async function rootAptConf(
  root: string,
  admindir: string,
  dpkgArgs: string[],
  confDir: string,
): Promise<string> {
  const includes: string[] = [];
  for (const file of ['etc/apt/apt.conf.d/', 'etc/apt/apt.conf'])
    if (await stat(join(root, file)).catch(() => null))
      includes.push(`#include "${join(root, file)}${file.endsWith('/') ? '/' : ''}";`);
  return [
    `Dir "${root}/";`,
    `Dir::State::status "${admindir}/status";`,
    `Dir::Etc::parts "${join(confDir, 'no-parts')}";`,
    `Dir::Etc::main "${join(confDir, 'no-main.conf')}";`,
    ...includes,
    ...APT_HOOK_KEYS.map((k) => `#clear ${k};`),
    `DPkg::Options { ${dpkgArgs.map((a) => `"${a}";`).join(' ')} };`,
    '',
  ].join('\n');
}

/**
 * apt's own answer, with the config and environment every later call uses, must name the root; and for a root
 * other than /, no hook may be left (rootAptConf clears them; this checks it worked).
 */
async function guard(t: Pick<AptTarget, 'root' | 'admindir' | 'env'>): Promise<void> {
  const opts = { env: t.env, extendEnv: false };
  const [{ stdout }, dump] = await Promise.all([
    runTool('apt-config', ['shell', 'D', 'Dir', 'S', 'Dir::State::status/f'], opts),
    t.root === '/' ? Promise.resolve({ stdout: '' }) : runTool('apt-config', ['dump'], opts),
  ]);
  const hooks = dump.stdout
    .split('\n')
    .filter((l) => APT_HOOK_KEYS.some((k) => l.toLowerCase().startsWith(`${k.toLowerCase()}:: `)));
  if (hooks.length)
    throw new KintsugiError(
      'OS_ROOT_NOT_ISOLATED',
      `hooks that would run on this machine remain: ${hooks.join('; ')}`,
    );
  const dir = /^D='([^']*)'$/m.exec(stdout)?.[1];
  const status = /^S='([^']*)'$/m.exec(stdout)?.[1];
  const wantDir = t.root === '/' ? '/' : `${t.root}/`;
  if (dir !== wantDir || status !== join(t.admindir, 'status'))
    throw new KintsugiError(
      'OS_ROOT_NOT_ISOLATED',
      `apt-config says Dir=${dir ?? '(none)'} and Dir::State::status=${status ?? '(none)'}; expected ${wantDir} and ${join(t.admindir, 'status')}`,
    );
}
