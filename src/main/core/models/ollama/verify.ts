import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { JobContext } from '../../jobs/context';
import type { OllamaVerifyResult } from '../ollama-backend';
import { blobPath, manifestPath } from './models-dir';
import type { OllamaSlug } from './slug';

// Verify from the files themselves: the manifest names every layer (and the config) by sha256, and Ollama stores
// each as blobs/sha256-<hex>, so re-hashing them proves the bytes are the ones the registry published. Ollama's
// own /api/show cannot: it only opens the model. So the API is the fallback, used when the store cannot be read
// from here (another user's 0700 dir, a store on another machine behind OLLAMA_HOST).

/** The store cannot be read from this process: fall back to the server. */
export class StoreUnreadable extends Error {}

interface Layer {
  digest: string;
  size: number;
}

const UNREADABLE = new Set(['ENOENT', 'EACCES', 'EPERM', 'ENOTDIR', 'ELOOP']);
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export async function verifyBlobs(
  modelsDir: string,
  slug: OllamaSlug,
  ctx: JobContext,
): Promise<OllamaVerifyResult> {
  const path = manifestPath(modelsDir, slug);
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    if (UNREADABLE.has((err as NodeJS.ErrnoException).code ?? ''))
      throw new StoreUnreadable(`${path}: ${(err as Error).message}`, { cause: err });
    throw err;
  }
  const problems: string[] = [];
  if (slug.digest && createHash('sha256').update(raw).digest('hex') !== slug.digest)
    problems.push(`manifest ${path} is not the pinned sha256:${slug.digest}`);

  let layers: Layer[];
  try {
    const m = JSON.parse(raw.toString('utf8')) as { layers?: Layer[]; config?: Layer };
    layers = [...(m.layers ?? []), ...(m.config?.digest ? [m.config] : [])];
  } catch {
    return { name: slug.name, method: 'blobs', ok: false, problems: [`manifest ${path} is not valid JSON`] };
  }

  const total = layers.reduce((n, l) => n + (Number(l.size) || 0), 0);
  let done = 0;
  for (const layer of layers) {
    // A manifest is data from the network: a digest that is not sha256 hex must not become a path.
    if (typeof layer.digest !== 'string' || !DIGEST.test(layer.digest)) {
      problems.push(`manifest names a layer with a malformed digest (${String(layer.digest).slice(0, 80)})`);
      continue;
    }
    const file = blobPath(modelsDir, layer.digest);
    try {
      const { hex, bytes } = await hashFile(file, ctx, (n) =>
        ctx.progress({
          kind: 'models',
          phase: 'verify',
          bytes: done + n,
          total,
          speed: 0,
          message: layer.digest,
        }),
      );
      done += bytes;
      if (`sha256:${hex}` !== layer.digest)
        problems.push(`${file}: sha256 is ${hex}, the manifest says ${layer.digest}`);
      else if (bytes !== layer.size)
        problems.push(`${file}: ${bytes} bytes, the manifest says ${layer.size}`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') problems.push(`${file}: missing (layer ${layer.digest})`);
      else if (code === 'EACCES' || code === 'EPERM')
        throw new StoreUnreadable(`${file}: ${(err as Error).message}`, { cause: err });
      else throw err;
    }
  }
  return { name: slug.name, method: 'blobs', ok: problems.length === 0, problems };
}

function hashFile(
  file: string,
  ctx: JobContext,
  onBytes: (n: number) => void,
): Promise<{ hex: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    const stream = createReadStream(file, { highWaterMark: 4 << 20, signal: ctx.signal });
    stream.on('data', (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes(bytes);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve({ hex: hash.digest('hex'), bytes }));
  });
}
