import type { OllamaBackend } from './ollama-backend';
import { createOllamaBackend } from './ollama/backend';

// Which Ollama server the models layer talks to. Handlers, the CLI and the job runners take an `ollamaBackend()`
// factory so a test can hand them another; the default is the real client (core/models/ollama/) against
// OLLAMA_HOST, made fresh per call so a changed environment counts.

export type OllamaBackendFactory = () => OllamaBackend;

export const defaultOllamaBackend: OllamaBackendFactory = () => createOllamaBackend();
