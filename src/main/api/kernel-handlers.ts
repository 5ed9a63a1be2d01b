import { KintsugiError } from '../../shared/errors';
import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { listHosts, loadHostManifest } from '../core/kernel/fleet-manifest';
import type { HandlerDeps } from './deps';

// The kernel page's calls. The page names a host; the workspace is the kernelWorkspace setting, read here in
// main, and a promote or build is refused before a job starts when the host's manifest does not load.

export function kernelHandlers(deps: HandlerDeps): DomainApi<Domains['kernel']> {
  const workspace = async () => {
    const w = (await deps.settings.load()).kernelWorkspace;
    if (!w)
      throw new KintsugiError('KERNEL_WORKSPACE_INVALID', 'no kernel workspace is set', {
        hint: 'Set the kernel workspace in Settings (the git repository holding fleet/ and patches/).',
      });
    return w;
  };
  return {
    async hosts() {
      const w = await workspace();
      return { workspace: w, hosts: await listHosts(w) };
    },
    manifest: async ({ host }) => loadHostManifest(await workspace(), host),
    async promote({ host }) {
      const w = await workspace();
      await loadHostManifest(w, host);
      return {
        jobId: deps.runner.start({ type: 'kernel.promote', params: { workspace: w, host } }, deps.executor),
      };
    },
    async build({ host }) {
      const w = await workspace();
      await loadHostManifest(w, host);
      return {
        jobId: deps.runner.start({ type: 'kernel.build', params: { workspace: w, host } }, deps.executor),
      };
    },
  };
}
