import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { startLocalServer } from './local-server';

// A real ostree system root for the OS backend's tests (and the OS page's end-to-end test), built with the real
// ostree CLI as in /work/shared/recipes/ostree-test-sysroot.sh (verified on Debian 12, ostree 2022.7):
// - a vendor's archive repo, served over HTTP on 127.0.0.1 (a Node static server in this process: no python),
// - a sysroot (`ostree admin init-fs`) with one stateroot whose remote points at that server, and the first
//   version pulled and deployed (a plain deploy: a test sysroot is never booted, so nothing can be staged),
// - by default a second version published on the server and not deployed: what a check must find.
// Nothing here touches the machine's own /ostree, /boot or /sysroot: every ostree call names --sysroot or --repo.

export interface OstreeSysrootOptions {
  /** The stateroot (`ostree admin os-init NAME`). Default 'testos'. */
  osName?: string;
  /** Deployed at once. Default '42.1'. */
  deployed?: string;
  /** Published on the server but not deployed; null for none. Default '42.2'. */
  published?: string | null;
}

export interface PublishOptions {
  /** Size of the commit's /usr/lib/modules/<kver>/vmlinuz (random bytes, so it never dedups). Default: a line. */
  kernelBytes?: number;
}

export interface OstreeSysroot {
  /** The temp folder holding everything below. */
  dir: string;
  /** Pass as OsBackendOptions.sysroot. */
  sysroot: string;
  /** Pass as OsBackendOptions.osName. */
  osName: string;
  /** The sysroot's own repo (`<sysroot>/ostree/repo`). */
  sysrootRepo: string;
  /** The served archive repo (the vendor side). */
  serverRepo: string;
  /** The remote's name in the sysroot repo, its ref and URL. */
  remote: string;
  ref: string;
  remoteUrl: string;
  /** Commit checksum of each version published so far. */
  commits: Record<string, string>;
  /** Commits VERSION on the served repo's ref and updates its summary, as a vendor's build would. */
  publish(version: string, opts?: PublishOptions): Promise<string>;
  /** Re-points the sysroot's remote at URL (e.g. a closed port, to test an unreachable server). */
  setRemoteUrl(url: string): Promise<void>;
  /** Runs `ostree ARGS` with the fixture's environment; returns stdout. */
  ostree(args: string[]): Promise<string>;
  /** Stops the server and deletes the folder. */
  cleanup(): Promise<void>;
}

/**
 * The environment every ostree call of a test needs: as ostree's own tests/libtest.sh, no `chattr +i` on
 * deployments (a test must be able to delete its temp folder). Set process-wide, since the backend under test
 * runs ostree with the process's environment; a production run never has it.
 */
export function useTestOstreeEnv(): void {
  process.env.OSTREE_SYSROOT_DEBUG = 'mutable-deployments';
}

/** A TCP port on 127.0.0.1 that nothing listens on any more (bound, then closed): never a well-known port. */
export async function freedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function createOstreeSysroot(opts: OstreeSysrootOptions = {}): Promise<OstreeSysroot> {
  useTestOstreeEnv();
  const osName = opts.osName ?? 'testos';
  const deployed = opts.deployed ?? '42.1';
  const published = opts.published === undefined ? '42.2' : opts.published;
  const dir = await mkdtemp(join(tmpdir(), 'kintsugi-ostree-'));
  const serverRepo = join(dir, 'srv', 'repo');
  const sysroot = join(dir, 'sysroot');
  const sysrootRepo = join(sysroot, 'ostree', 'repo');
  const remote = osName;
  const ref = `${osName}/stable/x86_64`;
  const env = { ...process.env, LC_ALL: 'C' };
  const ostree = async (args: string[]) => (await execa('ostree', args, { env })).stdout;

  const srvRoot = join(dir, 'srv');
  const server = await startLocalServer((req, res) => {
    const path = normalize(join(srvRoot, decodeURIComponent((req.url ?? '/').split('?')[0]!)));
    if (!path.startsWith(srvRoot + sep)) return void res.writeHead(403).end();
    stat(path).then(
      (st) => {
        if (!st.isFile()) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-length': st.size });
        createReadStream(path).pipe(res);
      },
      () => void res.writeHead(404).end(),
    );
  });
  const remoteUrl = `${server.base}/repo`;
  const commits: Record<string, string> = {};

  const publish = async (version: string, p: PublishOptions = {}) => {
    const tree = join(dir, `tree-${version}`);
    const kdir = join(tree, 'usr', 'lib', 'modules', '6.1.0');
    await mkdir(kdir, { recursive: true });
    await mkdir(join(tree, 'usr', 'bin'), { recursive: true });
    await mkdir(join(tree, 'usr', 'etc'), { recursive: true });
    await writeFile(
      join(kdir, 'vmlinuz'),
      p.kernelBytes ? randomBytes(p.kernelBytes) : `kernel ${version}\n`,
    );
    await writeFile(join(kdir, 'initramfs.img'), `initramfs ${version}\n`);
    await writeFile(join(tree, 'usr', 'bin', 'sh'), `sh ${version}\n`);
    await writeFile(
      join(tree, 'usr', 'etc', 'os-release'),
      `NAME=TestOS\nID=${osName}\nVERSION_ID=${version}\nPRETTY_NAME="TestOS ${version}"\n`,
    );
    const csum = (
      await ostree([
        `--repo=${serverRepo}`,
        'commit',
        '--bootable',
        `--tree=dir=${tree}`,
        `--branch=${ref}`,
        `--add-metadata-string=version=${version}`,
        `--subject=Build ${version}`,
      ])
    ).trim();
    await ostree([`--repo=${serverRepo}`, 'summary', '-u']);
    await rm(tree, { recursive: true, force: true });
    commits[version] = csum;
    return csum;
  };

  try {
    await mkdir(serverRepo, { recursive: true });
    await ostree([`--repo=${serverRepo}`, 'init', '--mode=archive']);
    await publish(deployed);
    await mkdir(sysroot);
    await ostree(['admin', 'init-fs', sysroot]);
    await ostree(['admin', 'os-init', `--sysroot=${sysroot}`, osName]);
    // The bootloader config ostree updates on deploy (syslinux is the simplest it writes; as the recipe).
    await mkdir(join(sysroot, 'boot', 'loader.0'), { recursive: true });
    await mkdir(join(sysroot, 'boot', 'syslinux'), { recursive: true });
    await symlink('loader.0', join(sysroot, 'boot', 'loader'));
    await writeFile(join(sysroot, 'boot', 'loader', 'syslinux.cfg'), '');
    await symlink('../loader/syslinux.cfg', join(sysroot, 'boot', 'syslinux', 'syslinux.cfg'));
    await ostree([
      `--repo=${sysrootRepo}`,
      'remote',
      'add',
      '--set=gpg-verify=false',
      remote,
      remoteUrl,
      ref,
    ]);
    await ostree([`--repo=${sysrootRepo}`, 'pull', `${remote}:${ref}`]);
    await ostree([
      'admin',
      'deploy',
      `--sysroot=${sysroot}`,
      `--os=${osName}`,
      '--karg=root=LABEL=ROOT',
      `${remote}:${ref}`,
    ]);
    if (published !== null) await publish(published);
  } catch (err) {
    await server.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    dir,
    sysroot,
    osName,
    sysrootRepo,
    serverRepo,
    remote,
    ref,
    remoteUrl,
    commits,
    publish,
    async setRemoteUrl(url: string) {
      await ostree([`--repo=${sysrootRepo}`, 'remote', 'delete', remote]);
      await ostree([`--repo=${sysrootRepo}`, 'remote', 'add', '--set=gpg-verify=false', remote, url, ref]);
    },
    ostree,
    async cleanup() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
