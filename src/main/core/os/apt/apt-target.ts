import { mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
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
  await writeFile(
    conf,
    `Dir "${root}/";\nDir::State::status "${admindir}/status";\n` +
      `DPkg::Options { ${dpkgArgs.map((a) => `"${a}";`).join(' ')} };\n`,
  );
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

/** apt's own answer, with the config and environment every later call uses, must name the root. */
async function guard(t: Pick<AptTarget, 'root' | 'admindir' | 'env'>): Promise<void> {
  const { stdout } = await runTool('apt-config', ['shell', 'D', 'Dir', 'S', 'Dir::State::status/f'], {
    env: t.env,
    extendEnv: false,
  });
  const dir = /^D='([^']*)'$/m.exec(stdout)?.[1];
  const status = /^S='([^']*)'$/m.exec(stdout)?.[1];
  const wantDir = t.root === '/' ? '/' : `${t.root}/`;
  if (dir !== wantDir || status !== join(t.admindir, 'status'))
    throw new KintsugiError(
      'OS_ROOT_NOT_ISOLATED',
      `apt-config says Dir=${dir ?? '(none)'} and Dir::State::status=${status ?? '(none)'}; expected ${wantDir} and ${join(t.admindir, 'status')}`,
    );
}
