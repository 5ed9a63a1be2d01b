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
    'models-pull': (p, ctx) => pullModel(p, ctx, { ollama, ...(download ? { download } : {}) }),
    'models-verify': (p, ctx) => verifyModels(p, ctx, ollama),
    'models-remove': (p, ctx) => removeModel(p, ctx, ollama),
  };
}

export const modelRunners = modelRunnersWith();
