import { KintsugiError } from '../../../../shared/errors';

// Model names are checked here, before any request: a slug ends up in a URL body, in a manifest path under the
// models dir (verify reads manifests/<host>/<namespace>/<model>/<tag>) and in messages, so anything that is not
// Ollama's own name grammar (`;`, `$(...)`, spaces, `..`) is refused rather than escaped.

export interface OllamaSlug {
  /** registry host, default registry.ollama.ai */
  host: string;
  /** default `library` */
  namespace: string;
  model: string;
  /** default `latest` */
  tag: string;
  /** manifest digest pin, hex without `sha256:` */
  digest?: string;
  /** `model:tag`, or `namespace/model:tag` / `host/namespace/model:tag` when not the defaults: how /api/tags lists it */
  name: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;
const DIGEST = /^sha256:([0-9a-f]{64})$/;
export const DEFAULT_REGISTRY = 'registry.ollama.ai';

export function parseOllamaSlug(slug: string): OllamaSlug {
  const bad = (why: string): KintsugiError =>
    new KintsugiError('MODELS_OLLAMA_SLUG_INVALID', `"${slug}": ${why}`);
  if (typeof slug !== 'string' || slug.length === 0 || slug.length > 350) throw bad('empty or too long');

  const [ref, digestPart, extra] = slug.split('@');
  if (extra !== undefined) throw bad('more than one @');
  let digest: string | undefined;
  if (digestPart !== undefined) {
    const m = DIGEST.exec(digestPart);
    if (!m) throw bad('the pin after @ must be sha256: and 64 lowercase hex digits');
    digest = m[1];
  }

  const colon = ref!.lastIndexOf(':');
  const slash = ref!.lastIndexOf('/');
  const hasTag = colon > slash;
  const path = hasTag ? ref!.slice(0, colon) : ref!;
  const tag = hasTag ? ref!.slice(colon + 1) : 'latest';
  if (!TAG.test(tag)) throw bad(`tag "${tag}" has characters Ollama does not allow`);

  const parts = path.split('/');
  if (parts.length > 3) throw bad('too many / (at most host/namespace/model)');
  // PART refuses `.`/`..` (must start with a letter or digit) and every shell or path character.
  for (const p of parts) if (!PART.test(p)) throw bad(`"${p}" has characters Ollama does not allow`);
  const [host, namespace, model] =
    parts.length === 3
      ? (parts as [string, string, string])
      : parts.length === 2
        ? [DEFAULT_REGISTRY, parts[0]!, parts[1]!]
        : [DEFAULT_REGISTRY, 'library', parts[0]!];

  const prefix =
    host !== DEFAULT_REGISTRY ? `${host}/${namespace}/` : namespace !== 'library' ? `${namespace}/` : '';
  return { host, namespace, model, tag, digest, name: `${prefix}${model}:${tag}` };
}
