import type { DomainApi } from '../../shared/ipc/define';
import type { Domains, JobRequest } from '../../shared/registry';
import { DEFAULT_BIN_DIR, DEFAULT_TOOLKIT_REMOTE } from '../../shared/repo/remote';
import { toolkitCloneDir } from '../core/layers/data-layout';
import { networkState } from '../core/network/metered';
import { pullPreview } from '../core/repo/preview';
import { reflogEntries } from '../core/repo/rollback';
import { requireClone } from '../core/repo/clone-state';
import { repoStatus } from '../core/repo/status';
import type { HandlerDeps } from './deps';

// The repo page's calls. Reads run here (offline, quick); everything that fetches or moves HEAD starts a job
// whose params main builds from its own settings: the page sends intents, never paths.

export function repoHandlers(deps: HandlerDeps): DomainApi<Domains['repo']> {
  const settings = () => deps.settings.load();
  const start = (req: JobRequest) => ({ jobId: deps.runner.start(req, deps.executor) });
  const clone = async () => toolkitCloneDir((await settings()).dataRoot);
  return {
    async status() {
      const s = await settings();
      return repoStatus({
        dataRoot: s.dataRoot,
        binDir: s.binDir ?? DEFAULT_BIN_DIR,
        pathVar: process.env['PATH'] ?? '',
      });
    },
    async preview() {
      const dir = await clone();
      await requireClone(dir);
      return pullPreview(dir);
    },
    async reflog() {
      return reflogEntries(await clone());
    },
    async network() {
      return networkState((await settings()).metered ?? 'auto');
    },
    async check({ allowMetered }) {
      const s = await settings();
      return start({
        type: 'repo-check',
        params: { dataRoot: s.dataRoot, allowMetered, meteredSetting: s.metered ?? 'auto' },
      });
    },
    async pull({ allowMetered, stash, moveLocalTo }) {
      const s = await settings();
      return start({
        type: 'repo-pull',
        params: {
          dataRoot: s.dataRoot,
          allowMetered,
          meteredSetting: s.metered ?? 'auto',
          stash,
          ...(moveLocalTo ? { moveLocalTo } : {}),
          binDir: s.binDir ?? DEFAULT_BIN_DIR,
        },
      });
    },
    async pin({ tag }) {
      return start({ type: 'repo-pin', params: { dataRoot: (await settings()).dataRoot, tag } });
    },
    async unpin({ allowMetered }) {
      const s = await settings();
      return start({
        type: 'repo-unpin',
        params: {
          dataRoot: s.dataRoot,
          allowMetered,
          meteredSetting: s.metered ?? 'auto',
          binDir: s.binDir ?? DEFAULT_BIN_DIR,
        },
      });
    },
    async rollback({ ref, typed }) {
      return start({
        type: 'repo-rollback',
        params: { dataRoot: (await settings()).dataRoot, ref, ...(typed !== undefined ? { typed } : {}) },
      });
    },
    async clone({ allowMetered }) {
      const s = await settings();
      return start({
        type: 'repo-clone',
        params: {
          dataRoot: s.dataRoot,
          allowMetered,
          meteredSetting: s.metered ?? 'auto',
          remote: s.repoRemote ?? DEFAULT_TOOLKIT_REMOTE,
        },
      });
    },
    async link({ copy }) {
      const s = await settings();
      return start({
        type: 'repo-link',
        params: { dataRoot: s.dataRoot, binDir: s.binDir ?? DEFAULT_BIN_DIR, copy },
      });
    },
  };
}
