import { KintsugiError } from '../../shared/errors';
import type { DomainApi } from '../../shared/ipc/define';
import type { KernelStatus } from '../../shared/kernel/contract';
import type { Domains } from '../../shared/registry';
import { listHosts, loadHostManifest } from '../core/kernel/fleet-manifest';
import { installedVersion } from '../core/kernel/install/package-db';
import { checkPackagePath } from '../core/kernel/install/package-file';
import { kernelStatus } from '../core/kernel/install/status';
import type { HandlerDeps } from './deps';

// The kernel page's calls. The page names a host (and, to install, the package the person picked); the workspace
// is the kernelWorkspace setting and the root is main's own (deps.kernel.root: / unless a harness says otherwise),
// both read here in main, never from the page. A job is refused before it starts when the host's manifest does
// not load or the picked file is not a package of the manifest's kind; the helper checks every parameter again.

export function kernelHandlers(deps: HandlerDeps): DomainApi<Domains['kernel']> {
  const workspace = async () => {
    const w = (await deps.settings.load()).kernelWorkspace;
    if (!w)
      throw new KintsugiError('KERNEL_WORKSPACE_INVALID', 'no kernel workspace is set', {
        hint: 'Set the kernel workspace in Settings (the git repository holding fleet/ and patches/).',
      });
    return w;
  };
  const root = deps.kernel.root;
  const status = async (host: string): Promise<KernelStatus> => {
    const s = await kernelStatus({ host, root });
    return {
      host: s.host,
      root: s.root,
      state: s.state,
      overdue: s.overdue,
      heartbeat: s.heartbeat,
      ...(s.deadline ? { deadline: s.deadline } : {}),
      ...(s.note ? { note: s.note } : {}),
      ...(s.installedVersion ? { installedVersion: s.installedVersion } : {}),
      ...(s.kernelRelease ? { kernelRelease: s.kernelRelease } : {}),
      ...(s.replacedVersion !== undefined ? { replacedVersion: s.replacedVersion } : {}),
      ...(s.backupPath !== undefined ? { backupPath: s.backupPath } : {}),
    };
  };
  const start = (req: Parameters<HandlerDeps['runner']['start']>[0]) => ({
    jobId: deps.runner.start(req, deps.executor),
  });
  return {
    async hosts() {
      const w = await workspace();
      return { workspace: w, hosts: await listHosts(w) };
    },
    manifest: async ({ host }) => loadHostManifest(await workspace(), host),
    async promote({ host }) {
      const w = await workspace();
      await loadHostManifest(w, host);
      return start({ type: 'kernel.promote', params: { workspace: w, host } });
    },
    async build({ host }) {
      const w = await workspace();
      await loadHostManifest(w, host);
      return start({ type: 'kernel.build', params: { workspace: w, host } });
    },
    async status({ host }) {
      const s = await status(host);
      // What an install would replace, for the page's confirmation; a manifest that does not load leaves it out.
      const m = await workspace()
        .then((w) => loadHostManifest(w, host))
        .catch(() => null);
      if (!m) return s;
      const v = await installedVersion(m.package.kind, root, m.package.pkgbase).catch(() => undefined);
      return v === undefined ? s : { ...s, packageVersion: v?.version ?? null };
    },
    async overdue() {
      const w = (await deps.settings.load()).kernelWorkspace;
      if (!w) return [];
      const hosts = await listHosts(w);
      // One damaged record must not hide another host's overdue heartbeat.
      const each = await Promise.all(hosts.map((h) => status(h).catch(() => null)));
      return each.filter((s) => s?.overdue).map((s) => s!.host);
    },
    async install({ host, packageFile }) {
      const w = await workspace();
      const m = await loadHostManifest(w, host);
      const file = await checkPackagePath(packageFile, m.package.kind);
      return start({ type: 'kernel.install', params: { workspace: w, host, packageFile: file, root } });
    },
    rollback: async ({ host }) => start({ type: 'kernel.rollback', params: { host, root } }),
  };
}
