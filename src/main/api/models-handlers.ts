import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { findModel, listModels, loadModels } from '../core/models/catalog';
import { defaultOllamaBackend, type OllamaBackendFactory } from '../core/models/ollama-provider';
import { missingPlan, storageSummary } from '../core/models/summary';
import type { HandlerDeps } from './deps';

// The models page's calls. A pull, verify or remove names a slug; the job finds the entry in its own manifests,
// so no URL or path comes from the page. An unknown slug fails here, before a job is started.

export function modelsHandlers(
  deps: HandlerDeps,
  ollamaBackend: OllamaBackendFactory = defaultOllamaBackend,
): DomainApi<Domains['models']> {
  const dataRoot = async () => (await deps.settings.load()).dataRoot;
  const list = async () => listModels(await dataRoot(), ollamaBackend());
  return {
    list,
    async summary() {
      const root = await dataRoot();
      return storageSummary(await listModels(root, ollamaBackend()), root);
    },
    missing: async () => missingPlan(await list()),
    async pull({ slug, allowMetered }) {
      const s = await deps.settings.load();
      findModel(await loadModels(s.dataRoot), slug);
      const params = {
        dataRoot: s.dataRoot,
        slug,
        allowMetered: allowMetered === true,
        meteredSetting: s.metered ?? 'auto',
      };
      return { jobId: deps.runner.start({ type: 'models-pull', params }, deps.executor) };
    },
    async verify({ slugs, all }) {
      const root = await dataRoot();
      return {
        jobId: deps.runner.start(
          { type: 'models-verify', params: { dataRoot: root, slugs: slugs ?? [], all: all === true } },
          deps.executor,
        ),
      };
    },
    async remove({ slug, deleteWeights, typed }) {
      const root = await dataRoot();
      return {
        jobId: deps.runner.start(
          {
            type: 'models-remove',
            params: {
              dataRoot: root,
              slug,
              deleteWeights: deleteWeights === true,
              ...(typed ? { typed } : {}),
            },
          },
          deps.executor,
        ),
      };
    },
  };
}
