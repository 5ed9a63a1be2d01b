import type { JobContext } from '../jobs/context';

// The models layer's view of an Ollama server: what the list, pull, verify and remove need, and nothing of how it
// is reached. The real implementation (core/models/ollama/, over the official `ollama` npm client against
// OLLAMA_HOST) and the stand-in server the tests run follow Ollama's own wire format; the rest of the models layer
// depends only on this interface, so it can be built, tested and read without a server.

/** One model the server has, from `/api/tags`. */
export interface OllamaModel {
  /** `name:tag` as the server lists it (e.g. `qwen3.5:4b`). */
  name: string;
  /** The manifest digest (sha256 hex, no prefix). */
  digest: string;
  /** Bytes on disk, summed over its layers. */
  size: number;
  modifiedAt?: string;
  /** From `details`: what the list shows beside GGUF files. */
  family?: string;
  parameterSize?: string;
  quantization?: string;
}

export interface OllamaPullOptions {
  /** No bytes for this long → abort the stream, back off, re-post (the server resumes). Default 30 s. */
  stallMs?: number;
  /** Re-posts after a stall or a dropped connection before giving up. Default 5. */
  retries?: number;
  /** First back-off between retries (doubles each time). Default 1 s. */
  backoffMs?: number;
}

export interface OllamaVerifyResult {
  name: string;
  /** `blobs`: every layer's sha256 recomputed from the blob files; `api`: the server's own /api/show answer. */
  method: 'blobs' | 'api';
  ok: boolean;
  /** What failed, per layer, when not ok. */
  problems: string[];
}

export interface OllamaBackend {
  /** `host:port` or URL being talked to (OLLAMA_HOST, default 127.0.0.1:11434), for messages. */
  readonly host: string;
  /** The server's version (`/api/version`); MODELS_OLLAMA_UNREACHABLE with a hint when it is not running. */
  version(): Promise<string>;
  list(): Promise<OllamaModel[]>;
  /**
   * Pulls `name:tag` or `name:tag@sha256:…`, reporting progress summed over layers (kind 'models', phase 'pull',
   * bytes/total/speed/eta) through ctx; cancel through ctx.signal. A mid-stream `error` line is an error.
   */
  pull(slug: string, ctx: JobContext, opts?: OllamaPullOptions): Promise<OllamaModel>;
  verify(name: string, ctx: JobContext): Promise<OllamaVerifyResult>;
  /** `/api/delete`. */
  remove(name: string): Promise<void>;
}
