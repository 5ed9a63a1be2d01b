import { homedir } from 'node:os';
import { join } from 'node:path';
import type { OllamaSlug } from './slug';

// Where the Ollama server keeps its store, as envconfig.Models() in ollama/ollama decides it: OLLAMA_MODELS
// (quotes and spaces trimmed), else ~/.ollama/models. The Linux service runs as the `ollama` user, whose home is
// /usr/share/ollama: callers that know better pass the dir explicitly.

export function ollamaModelsDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const v = (env.OLLAMA_MODELS ?? '').trim().replace(/^["']+|["']+$/g, '');
  return v || join(home, '.ollama', 'models');
}

/** manifests/<host>/<namespace>/<model>/<tag>: the slug's parts are already checked (slug.ts), so no `..`. */
export function manifestPath(modelsDir: string, s: OllamaSlug): string {
  return join(modelsDir, 'manifests', s.host, s.namespace, s.model, s.tag);
}

/** blobs/sha256-<hex>: Ollama names blob files after their digest with `-` for `:`. */
export function blobPath(modelsDir: string, digest: string): string {
  return join(modelsDir, 'blobs', digest.replace(':', '-'));
}
