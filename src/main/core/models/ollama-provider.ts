import { KintsugiError } from '../../../shared/errors';
import type { OllamaBackend } from './ollama-backend';

// The seam where the real Ollama client (core/models/ollama/, built alongside) is plugged in. The models layer
// never constructs one itself: handlers, the CLI and the job runners take an `ollamaBackend()` factory, and the
// default they fall back to is the one registered here (by the composition root at start-up). Until one is
// registered, every Ollama call fails saying so, and the GGUF side keeps working.

export type OllamaBackendFactory = () => OllamaBackend;

const unwired: OllamaBackendFactory = () => {
  const fail = (): never => {
    throw new KintsugiError('MODELS_OLLAMA_UNREACHABLE', 'no Ollama client is wired into this build', {
      hint: 'This build has no Ollama client yet; GGUF files from Hugging Face still work.',
    });
  };
  return {
    host: process.env['OLLAMA_HOST'] ?? '127.0.0.1:11434',
    version: async () => fail(),
    list: async () => fail(),
    pull: async () => fail(),
    verify: async () => fail(),
    remove: async () => fail(),
  };
};

let registered: OllamaBackendFactory = unwired;

export function registerOllamaBackend(factory: OllamaBackendFactory): void {
  registered = factory;
}

export const defaultOllamaBackend: OllamaBackendFactory = () => registered();
