import { Ollama, type ModelResponse } from 'ollama';
import { KintsugiError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/context';
import type { OllamaBackend, OllamaModel, OllamaPullOptions, OllamaVerifyResult } from '../ollama-backend';
import { fromClientError, responseStatus } from './client-errors';
import { parseOllamaHost } from './host';
import { ollamaModelsDir } from './models-dir';
import { pullWithRetries } from './pull';
import { parseOllamaSlug } from './slug';
import { StoreUnreadable, verifyBlobs } from './verify';
import { MIN_OLLAMA_VERSION, versionAtLeast } from './version';

// The real OllamaBackend: the official `ollama` client against OLLAMA_HOST, the store read directly for verify.

export interface OllamaBackendOptions {
  /** An OLLAMA_HOST value; default: the environment's, else 127.0.0.1:11434. */
  host?: string;
  /** The server's models dir; default: OLLAMA_MODELS, else ~/.ollama/models. */
  modelsDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function createOllamaBackend(options: OllamaBackendOptions = {}): OllamaBackend {
  const env = options.env ?? process.env;
  const host = parseOllamaHost(options.host ?? env.OLLAMA_HOST);
  const modelsDir = options.modelsDir ?? ollamaModelsDir(env);
  // Every request of a call also ends when that call's signal aborts: the client itself only lets a stream be
  // aborted once its response has started, and a stall or a cancel can come before that.
  const client = (signal?: AbortSignal): Ollama =>
    new Ollama({
      host,
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          signal: signal && init?.signal ? AbortSignal.any([signal, init.signal]) : (signal ?? init?.signal),
        }),
    });
  const plain = client();

  async function version(): Promise<string> {
    let v: string;
    try {
      v = (await plain.version()).version;
    } catch (err) {
      // /api/version came in 0.1.15; a server older than that answers 404.
      if (responseStatus(err) === 404) throw tooOld('no /api/version (older than 0.1.15)');
      throw fromClientError(host, 'version', err);
    }
    if (!versionAtLeast(v, MIN_OLLAMA_VERSION)) throw tooOld(v);
    return v;
  }

  async function list(): Promise<OllamaModel[]> {
    try {
      return (await plain.list()).models.map(toModel);
    } catch (err) {
      throw fromClientError(host, 'list', err);
    }
  }

  return {
    host,
    version,
    list,

    async pull(slug: string, ctx: JobContext, opts?: OllamaPullOptions): Promise<OllamaModel> {
      const s = parseOllamaSlug(slug);
      await version();
      const ref = s.digest ? `${s.name}@sha256:${s.digest}` : s.name;
      const { total } = await pullWithRetries({ host, client }, ref, ctx, opts);
      const found = (await list()).find((m) => m.name === s.name);
      if (found && s.digest && found.digest !== s.digest)
        throw new KintsugiError(
          'MODELS_OLLAMA_PULL_FAILED',
          `${s.name}: Ollama lists digest ${found.digest}, the pin is ${s.digest}`,
        );
      if (found) return found;
      if (s.digest) return { name: s.name, digest: s.digest, size: total };
      throw new KintsugiError(
        'MODELS_OLLAMA_REQUEST_FAILED',
        `${s.name}: pulled, but /api/tags does not list it`,
      );
    },

    async verify(name: string, ctx: JobContext): Promise<OllamaVerifyResult> {
      const s = parseOllamaSlug(name);
      try {
        return await verifyBlobs(modelsDir, s, ctx);
      } catch (err) {
        if (ctx.signal.aborted)
          throw new KintsugiError('CANCELLED', `verify of ${s.name} cancelled`, { cause: err });
        if (!(err instanceof StoreUnreadable)) throw err;
        ctx.log(`cannot read the Ollama store here (${err.message}); asking the server instead`);
      }
      // The fallback proves less: the server could open the model's manifest and config, not that every byte of
      // its weights is intact.
      try {
        await plain.show({ model: s.name });
        return { name: s.name, method: 'api', ok: true, problems: [] };
      } catch (err) {
        if (responseStatus(err) === 404)
          return { name: s.name, method: 'api', ok: false, problems: [`server: ${(err as Error).message}`] };
        throw fromClientError(host, `show ${s.name}`, err);
      }
    },

    async remove(name: string): Promise<void> {
      const s = parseOllamaSlug(name);
      try {
        await plain.delete({ model: s.name });
      } catch (err) {
        throw fromClientError(host, `delete ${s.name}`, err);
      }
    },
  };

  function tooOld(found: string): KintsugiError {
    return new KintsugiError(
      'MODELS_OLLAMA_TOO_OLD',
      `Ollama at ${host} is ${found}; ${MIN_OLLAMA_VERSION} or newer is needed`,
    );
  }
}

function toModel(m: ModelResponse): OllamaModel {
  const d = m.details as Partial<ModelResponse['details']> | undefined;
  const out: OllamaModel = { name: m.name, digest: m.digest, size: m.size };
  if (m.modified_at) out.modifiedAt = new Date(m.modified_at).toISOString();
  if (d?.family) out.family = d.family;
  if (d?.parameter_size) out.parameterSize = d.parameter_size;
  if (d?.quantization_level) out.quantization = d.quantization_level;
  return out;
}
