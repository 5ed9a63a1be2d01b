import { createHash } from 'node:crypto';
import { mkdirSync, type Stats } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';

// A STAND-IN for an Ollama server, used only because Ollama cannot be installed or run on these machines. It is not
// Ollama: it serves the endpoints the backend uses with the wire format of ollama/ollama v0.33.0-rc2 (commit
// fb30760, server/routes.go, server/images.go PullModel, server/download.go, api/types.go):
// - POST /api/pull: NDJSON (`application/x-ndjson`), `{"status":"pulling manifest"}`, then per layer (layers, then
//   the config) `{"status":"pulling <digest[7:19]>","digest","total","completed"}` lines (one line with
//   total = completed for a blob already present), `verifying sha256 digest`, `writing manifest`, `success`; an
//   error after the stream started is one `{"error":"..."}` line and the end of the response.
// - GET /api/tags, POST /api/show, DELETE /api/delete (404 `{"error":"model 'x' not found"}`), GET /api/version;
//   unknown routes answer gin's plain `404 page not found`.
// The store is a real Ollama layout under `modelsDir` (manifests/registry.ollama.ai/library/<model>/<tag>,
// blobs/sha256-<hex>, partial downloads beside them), so resume and verify work on real files. Simplified: one
// partial file per blob (Ollama splits it into parts), no registry behind it (the "registry" is `publish`).

export interface StandinFaults {
  /** Version /api/version reports. */
  version?: string;
  /** Answer /api/version with 404, as servers before 0.1.15 did. */
  noVersionRoute?: boolean;
  /** After this many bytes of the pull (summed over layers), send `{"error": message}` and end the response. */
  errorAfter?: { bytes: number; message: string };
  /** After this many bytes, stop sending without closing (once: cleared when it happens). */
  stallAfter?: number;
  /** After this many bytes, keep sending the same numbers without new bytes, as Ollama's 60 ms ticker does while
   * its own download waits (once: cleared when it happens). */
  repeatAfter?: number;
  /** After this many bytes, drop the connection without ending the response (once). */
  dropAfter?: number;
}

export interface PullPost {
  /** The model as posted, pin included. */
  ref: string;
  name: string;
  /** The first `completed` reported for each layer: where this post resumed from. */
  startedAt: Record<string, number>;
  /** The client closed the connection before the response ended. */
  closedByClient: boolean;
}

export interface OllamaStandin {
  host: string;
  modelsDir: string;
  faults: StandinFaults;
  /** Every request: method and path. */
  requests: { method: string; path: string }[];
  pulls: PullPost[];
  /** Makes `name:tag` pullable (the registry side). */
  publish(name: string, spec?: PublishSpec): Publication;
  /** Publishes and stores it as a completed pull would. */
  install(name: string, spec?: PublishSpec): Promise<Publication>;
  /** Resolves when the client has closed the connection of pull post `i`. */
  closed(i: number): Promise<void>;
  close(): Promise<void>;
}

export interface PublishSpec {
  /** Layer sizes in bytes (content is derived from the name, so it is stable). */
  layers?: number[];
  family?: string;
  parameterSize?: string;
  quantization?: string;
}

export interface Publication {
  /** Layers' digests, then the config's. */
  digests: string[];
  /** Bytes of all of them: what a pull transfers and /api/tags lists as size. */
  size: number;
}

interface Published {
  layers: Buffer[];
  config: Buffer;
}

const CHUNK = 32 * 1024;
const MANIFESTS = ['manifests', 'registry.ollama.ai', 'library'];

export async function startOllamaStandin(modelsDir: string): Promise<OllamaStandin> {
  mkdirSync(join(modelsDir, 'blobs'), { recursive: true });
  const registry = new Map<string, Published>();
  const faults: StandinFaults = { version: '0.33.0' };
  const requests: { method: string; path: string }[] = [];
  const pulls: PullPost[] = [];
  const closeWaiters = new Map<number, Promise<void>>();

  const blob = (digest: string): string => join(modelsDir, 'blobs', digest.replace(':', '-'));
  const digestOf = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const manifestFile = (name: string): string => {
    const [model, tag] = splitName(name);
    return join(modelsDir, ...MANIFESTS, model, tag);
  };
  const manifestOf = (p: Published): Buffer =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          digest: digestOf(p.config),
          size: p.config.length,
        },
        layers: p.layers.map((l) => ({
          mediaType: 'application/vnd.ollama.image.model',
          digest: digestOf(l),
          size: l.length,
        })),
      }),
    );

  function publish(name: string, spec: PublishSpec = {}): Publication {
    const key = splitName(name).join(':');
    const layers = (spec.layers ?? [200_000, 3_000]).map((size, i) => fill(`${key}/${i}`, size));
    const config = Buffer.from(
      JSON.stringify({
        model_format: 'gguf',
        model_family: spec.family ?? 'qwen3',
        model_families: [spec.family ?? 'qwen3'],
        model_type: spec.parameterSize ?? '4.0B',
        file_type: spec.quantization ?? 'Q4_K_M',
        rootfs: { type: 'layers', diff_ids: layers.map(digestOf) },
      }),
    );
    registry.set(key, { layers, config });
    const all = [...layers, config];
    return { digests: all.map(digestOf), size: all.reduce((n, b) => n + b.length, 0) };
  }

  async function install(name: string, spec?: PublishSpec): Promise<Publication> {
    const publication = publish(name, spec);
    const p = registry.get(splitName(name).join(':'))!;
    for (const b of [...p.layers, p.config]) await writeFile(blob(digestOf(b)), b);
    await mkdir(join(manifestFile(name), '..'), { recursive: true });
    await writeFile(manifestFile(name), manifestOf(p));
    return publication;
  }

  async function pull(
    req: IncomingMessage,
    res: ServerResponse,
    body: Record<string, unknown>,
  ): Promise<void> {
    const ref = String(body.model || body.name || '');
    const [name, pin] = ref.split('@') as [string, string | undefined];
    const post: PullPost = { ref, name, startedAt: {}, closedByClient: false };
    const index = pulls.push(post) - 1;
    closeWaiters.set(
      index,
      new Promise((resolve) =>
        res.on('close', () => {
          if (!res.writableFinished) post.closedByClient = true;
          resolve();
        }),
      ),
    );
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    const send = async (line: object): Promise<void> => {
      if (!res.write(`${JSON.stringify(line)}\n`)) await new Promise((r) => res.once('drain', r));
      // Let the client read between lines, as a real network would.
      await new Promise((r) => setImmediate(r));
    };
    const gone = (): boolean => res.destroyed || post.closedByClient;

    await send({ status: 'pulling manifest' });
    const p = registry.get(splitName(name).join(':'));
    // The registry answers a manifest it does not have, or a pin that is not its manifest's digest, with 404.
    const pinned = pin === undefined || (p && pin === digestOf(manifestOf(p)));
    if (!p || !pinned) return endWithError(res, 'pull model manifest: file does not exist');

    let sent = 0;
    for (const layer of [...p.layers, p.config]) {
      const digest = digestOf(layer);
      const status = `pulling ${digest.slice(7, 19)}`;
      const final = blob(digest);
      const existing = await statOrUndefined(final);
      if (existing) {
        post.startedAt[digest] = existing.size;
        await send({ status, digest, total: existing.size, completed: existing.size });
        continue;
      }
      const partial = `${final}-partial-0`;
      let completed = (await statOrUndefined(partial))?.size ?? 0;
      post.startedAt[digest] = completed;
      await send({ status, digest, total: layer.length, completed });
      while (completed < layer.length) {
        if (gone()) return;
        if (faults.errorAfter && sent >= faults.errorAfter.bytes)
          return endWithError(res, faults.errorAfter.message);
        if (faults.stallAfter !== undefined && sent >= faults.stallAfter) {
          faults.stallAfter = undefined;
          // Holds the connection open without a byte more, until the client gives up on it.
          return;
        }
        if (faults.repeatAfter !== undefined && sent >= faults.repeatAfter) {
          faults.repeatAfter = undefined;
          // Lines keep coming, the numbers do not move, until the client gives up on it.
          while (!gone()) {
            await send({ status, digest, total: layer.length, completed });
            await new Promise((r) => setTimeout(r, 20));
          }
          return;
        }
        if (faults.dropAfter !== undefined && sent >= faults.dropAfter) {
          faults.dropAfter = undefined;
          res.socket?.destroy();
          return;
        }
        const chunk = layer.subarray(completed, Math.min(layer.length, completed + CHUNK));
        await appendFile(partial, chunk);
        completed += chunk.length;
        sent += chunk.length;
        await send({ status, digest, total: layer.length, completed });
      }
      await rename(partial, final);
    }

    await send({ status: 'verifying sha256 digest' });
    for (const layer of [...p.layers, p.config]) {
      const digest = digestOf(layer);
      if (digestOf(await readFile(blob(digest))) !== digest) {
        await rm(blob(digest), { force: true });
        return endWithError(res, `digest mismatch, file must be downloaded again: want ${digest}`);
      }
    }
    await send({ status: 'writing manifest' });
    await mkdir(join(manifestFile(name), '..'), { recursive: true });
    await writeFile(manifestFile(name), manifestOf(p));
    await send({ status: 'success' });
    res.end();
  }

  async function tags(res: ServerResponse): Promise<void> {
    const models = [];
    for (const file of await listFiles(join(modelsDir, ...MANIFESTS))) {
      const raw = await readFile(file);
      const m = JSON.parse(raw.toString()) as {
        config: { digest: string; size: number };
        layers: { size: number }[];
      };
      const cfg = JSON.parse((await readFile(blob(m.config.digest))).toString()) as Record<string, unknown>;
      const [model, tag] = relative(join(modelsDir, ...MANIFESTS), file).split(sep);
      models.push({
        name: `${model}:${tag}`,
        model: `${model}:${tag}`,
        modified_at: (await stat(file)).mtime.toISOString(),
        size: m.layers.reduce((n, l) => n + l.size, m.config.size),
        digest: createHash('sha256').update(raw).digest('hex'),
        details: {
          parent_model: '',
          format: cfg.model_format,
          family: cfg.model_family,
          families: cfg.model_families,
          parameter_size: cfg.model_type,
          quantization_level: cfg.file_type,
        },
      });
    }
    json(res, 200, { models });
  }

  async function show(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const name = String(body.model || body.name || '');
    if (!name) return json(res, 400, { error: 'model is required' });
    const raw = await readFile(manifestFile(name)).catch(() => undefined);
    if (!raw) return json(res, 404, { error: `model '${name}' not found` });
    const m = JSON.parse(raw.toString()) as { config: { digest: string } };
    const cfg = JSON.parse((await readFile(blob(m.config.digest))).toString()) as Record<string, unknown>;
    json(res, 200, {
      modelfile: `FROM ${name}\n`,
      details: { format: cfg.model_format, family: cfg.model_family, parameter_size: cfg.model_type },
      model_info: {},
      capabilities: ['completion'],
    });
  }

  async function del(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const name = String(body.model || body.name || '');
    const file = manifestFile(name);
    const raw = await readFile(file).catch(() => undefined);
    if (!raw) return json(res, 404, { error: `model '${name}' not found` });
    await rm(file);
    // Like Manifest.RemoveLayers: blobs no other manifest names go too.
    const inUse = new Set<string>();
    for (const f of await listFiles(join(modelsDir, 'manifests'))) {
      const o = JSON.parse((await readFile(f)).toString()) as {
        config: { digest: string };
        layers: { digest: string }[];
      };
      for (const l of [...o.layers, o.config]) inUse.add(l.digest);
    }
    const m = JSON.parse(raw.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    for (const l of [...m.layers, m.config])
      if (!inUse.has(l.digest)) await rm(blob(l.digest), { force: true });
    res.writeHead(200).end();
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? '', path });
    void readBody(req)
      .then(async (text) => {
        let body: Record<string, unknown> = {};
        if (text) {
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch (err) {
            return json(res, 400, { error: (err as Error).message });
          }
        }
        const route = `${req.method} ${path}`;
        if (route === 'GET /api/version') {
          if (faults.noVersionRoute) return notFound(res);
          return json(res, 200, { version: faults.version });
        }
        if (route === 'POST /api/pull') return pull(req, res, body);
        if (route === 'GET /api/tags') return tags(res);
        if (route === 'POST /api/show') return show(res, body);
        if (route === 'DELETE /api/delete') return del(res, body);
        return notFound(res);
      })
      .catch((err: Error) => {
        if (!res.headersSent) json(res, 500, { error: err.message });
        else res.destroy();
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    modelsDir,
    faults,
    requests,
    pulls,
    publish,
    install,
    closed: (i) => closeWaiters.get(i) ?? Promise.reject(new Error(`no pull post ${i}`)),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** An address where nothing listens (a port bound, then released): "Ollama is not running". */
export async function refusedHost(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return `127.0.0.1:${port}`;
}

function splitName(name: string): [string, string] {
  const [model, tag] = name.split(':');
  return [model!, tag || 'latest'];
}

/** Deterministic bytes of a given size, different per seed. */
function fill(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function endWithError(res: ServerResponse, message: string): void {
  res.end(`${JSON.stringify({ error: message })}\n`);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  return stat(p).catch(() => undefined);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
