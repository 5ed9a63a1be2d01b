import { requireUnmeteredOrAllowed } from '../network/require-unmetered';
import type { RunnersFor } from '../jobs/runner-types';
import { defaultOllamaBackend, type OllamaBackendFactory } from './ollama-provider';
import { pullModel, type PullDeps } from './pull';
import { removeModel } from './remove';
import { verifyModels } from './verify';

// The three model jobs (utility host, unprivileged). The Ollama backend is a factory so the composition root
// (or a test) decides which one; the default is the real client (ollama-provider.ts).

export function modelRunnersWith(
  ollama: OllamaBackendFactory = defaultOllamaBackend,
  download?: PullDeps['download'],
): RunnersFor<'models-pull' | 'models-verify' | 'models-remove'> {
  return {
    'models-pull': async (p, ctx) => {
      // A pull downloads gigabytes: on a metered network only with the person's yes, checked here where the
      // download happens, whoever asked.
      await requireUnmeteredOrAllowed({
        setting: p.meteredSetting,
        allowMetered: p.allowMetered,
        what: `Pulling ${p.slug}`,
        size: 'the model (gigabytes; `kintsugi models list --sizes` shows each)',
      });
      return pullModel(p, ctx, { ollama, ...(download ? { download } : {}) });
    },
    'models-verify': (p, ctx) => verifyModels(p, ctx, ollama),
    'models-remove': (p, ctx) => removeModel(p, ctx, ollama),
  };
}

export const modelRunners = modelRunnersWith();
