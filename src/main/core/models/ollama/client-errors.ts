import { KintsugiError } from '../../../../shared/errors';

// What the official client throws, turned into the catalogue's words. The client has three shapes: a fetch
// TypeError whose cause carries the socket's code (nothing listening, name not resolved), its ResponseError
// (`status_code` and the server's `error` text) for a non-2xx answer, and a plain Error carrying the `error` line
// of a stream.

const NOT_LISTENING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The socket error code under a fetch failure, if any. */
export function socketCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('E')) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isNotListening(err: unknown): boolean {
  const code = socketCode(err);
  return code !== undefined && NOT_LISTENING.has(code);
}

/** The client's ResponseError: an HTTP answer that was not 2xx. */
export function responseStatus(err: unknown): number | undefined {
  const s = (err as { status_code?: unknown } | null)?.status_code;
  return typeof s === 'number' ? s : undefined;
}

export function unreachable(host: string, err: unknown): KintsugiError {
  return new KintsugiError('MODELS_OLLAMA_UNREACHABLE', `nothing answered at ${host} (${socketCode(err)})`, {
    cause: err,
    hint: `Start Ollama (\`ollama serve\`, or \`systemctl start ollama\`), or set OLLAMA_HOST to the address it listens on (now ${host}).`,
  });
}

/** Any client failure outside a pull stream: unreachable, not found, or the server's own refusal. */
export function fromClientError(host: string, what: string, err: unknown): KintsugiError {
  if (err instanceof KintsugiError) return err;
  if (isNotListening(err)) return unreachable(host, err);
  const status = responseStatus(err);
  const text = err instanceof Error ? err.message : String(err);
  if (status === 404) return new KintsugiError('MODELS_OLLAMA_NOT_FOUND', `${what}: ${text}`, { cause: err });
  return new KintsugiError('MODELS_OLLAMA_REQUEST_FAILED', `${what}: ${text}`, { cause: err });
}
