import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KintsugiError, toErrorPayload } from '../../../shared/errors';
import type { ModelFrom, ModelRow, ModelsList, OllamaSide } from '../../../shared/models/contract';
import { userModelsDir } from '../layers/data-layout';
import { loadModelsManifest, type ModelEntry } from '../manifests/models';
import type { LayeredEntry } from '../manifests/shadow';
import { readDownloadState, statePathFor } from './download-state';
import { readGgufHeader } from './gguf-header';
import type { OllamaBackend, OllamaModel } from './ollama-backend';

// The list: the recommended and user manifests, shadowed by slug, joined with what is on disk (GGUF files under
// <data>/models/user, with their .incomplete partials) and what the Ollama server has (/api/tags through the
// backend). Files and server models no manifest names are listed too, as `unlisted`. An unreachable server does
// not fail the list: its rows read `unknown`, and `ollama` says why.

export interface ManifestView {
  entries: LayeredEntry<ModelEntry>[];
  problems: ModelsList['problems'];
  recommendedFile: ModelsList['recommendedFile'];
  userFile: string;
}

export const loadModels = (dataRoot: string): Promise<ManifestView> => loadModelsManifest(dataRoot);

const fromOf = (e: LayeredEntry<ModelEntry>): ModelFrom =>
  e.source === 'recommended' ? 'recommended' : e.shadowsRecommended ? 'shadowed' : 'user-only';

/** Ollama lists `name:latest` for a slug pulled without a tag. */
export const ollamaName = (slug: string) => (slug.includes(':') ? slug : `${slug}:latest`);

export const ggufPath = (dataRoot: string, file: string) => join(userModelsDir(dataRoot), file);

/** Status of one GGUF file from the disk alone (no hashing: that is `verify`). */
export async function ggufRow(
  path: string,
  expectedSize: number | undefined,
): Promise<Pick<ModelRow, 'status' | 'statusDetail' | 'percent' | 'sizeOnDisk' | 'gguf' | 'expectedSize'>> {
  const full = await stat(path).catch(() => undefined);
  if (full) {
    try {
      const gguf = await readGgufHeader(path);
      if (expectedSize !== undefined && full.size !== expectedSize)
        return {
          status: 'corrupt',
          statusDetail: `${full.size} bytes, the manifest says ${expectedSize}`,
          sizeOnDisk: full.size,
          expectedSize,
          gguf,
        };
      return { status: 'installed', sizeOnDisk: full.size, gguf, ...(expectedSize ? { expectedSize } : {}) };
    } catch (err) {
      return {
        status: 'corrupt',
        statusDetail: `not a readable GGUF file: ${(err as Error).message}`,
        sizeOnDisk: full.size,
      };
    }
  }
  const incomplete = `${path}.incomplete`;
  const part = await stat(incomplete).catch(() => undefined);
  if (part) {
    const rec = await readDownloadState(statePathFor(incomplete));
    const total = expectedSize ?? ('state' in rec ? rec.state.expectedSize : undefined);
    const percent = total ? Math.min(100, Math.floor((part.size / total) * 1000) / 10) : undefined;
    return {
      status: 'partial',
      statusDetail: percent !== undefined ? `${percent}% downloaded` : `${part.size} bytes downloaded`,
      sizeOnDisk: part.size,
      ...(percent !== undefined ? { percent } : {}),
      ...(total ? { expectedSize: total } : {}),
    };
  }
  return { status: 'missing', ...(expectedSize ? { expectedSize } : {}) };
}

async function ollamaSide(
  backend: OllamaBackend,
): Promise<{ side: OllamaSide; models: OllamaModel[] | undefined }> {
  try {
    return { side: { reachable: true, host: backend.host }, models: await backend.list() };
  } catch (err) {
    const p = toErrorPayload(err);
    return {
      side: {
        reachable: false,
        host: backend.host,
        reason: [p.message, p.detail].filter(Boolean).join(': '),
      },
      models: undefined,
    };
  }
}

export async function listModels(dataRoot: string, backend: OllamaBackend): Promise<ModelsList> {
  const [manifest, ollama] = await Promise.all([loadModels(dataRoot), ollamaSide(backend)]);
  const dir = userModelsDir(dataRoot);
  const rows: ModelRow[] = [];
  const namedFiles = new Set<string>();
  const namedOllama = new Set<string>();
  for (const e of manifest.entries) {
    const m = e.value;
    const base = {
      slug: m.slug,
      from: fromOf(e),
      source: m.source,
      tier: m.status,
      ...(m.notes ? { notes: m.notes } : {}),
    };
    if (m.source === 'huggingface') {
      namedFiles.add(m.file!);
      const path = ggufPath(dataRoot, m.file!);
      rows.push({ ...base, path, ...(await ggufRow(path, m.size)) });
    } else {
      const name = ollamaName(m.slug);
      namedOllama.add(name);
      if (!ollama.models) {
        rows.push({
          ...base,
          status: 'unknown',
          statusDetail: `Ollama unreachable: ${(ollama.side as { reason: string }).reason}`,
        });
        continue;
      }
      const have = ollama.models.find((x) => x.name === name);
      rows.push(
        have
          ? { ...base, status: 'installed', sizeOnDisk: have.size, gguf: ollamaInfo(have) }
          : { ...base, status: 'missing', ...(m.size ? { expectedSize: m.size } : {}) },
      );
    }
  }
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = name.endsWith('.gguf.incomplete') ? name.slice(0, -'.incomplete'.length) : name;
    if (!file.endsWith('.gguf') || namedFiles.has(file)) continue;
    namedFiles.add(file);
    const path = join(dir, file);
    rows.push({
      slug: file,
      from: 'unlisted',
      source: 'huggingface',
      path,
      ...(await ggufRow(path, undefined)),
    });
  }
  for (const m of ollama.models ?? [])
    if (!namedOllama.has(m.name))
      rows.push({
        slug: m.name,
        from: 'unlisted',
        source: 'ollama',
        status: 'installed',
        sizeOnDisk: m.size,
        gguf: ollamaInfo(m),
      });
  return {
    models: rows,
    ollama: ollama.side,
    problems: manifest.problems,
    recommendedFile: manifest.recommendedFile,
    userFile: manifest.userFile,
    modelsDir: dir,
  };
}

/** What the server's `details` say, in the same shape as a GGUF header. */
function ollamaInfo(m: OllamaModel): ModelRow['gguf'] {
  return {
    version: 0,
    ...(m.family ? { architecture: m.family } : {}),
    ...(m.quantization ? { quantization: m.quantization } : {}),
  };
}

/** The manifest entry of SLUG; an unknown slug says how to find the known ones. */
export function findModel(manifest: ManifestView, slug: string): LayeredEntry<ModelEntry> {
  const e = manifest.entries.find((x) => x.value.slug === slug);
  if (e) return e;
  const broken = manifest.problems.find((p) => p.message.includes(slug));
  throw new KintsugiError(
    'MODEL_NOT_FOUND',
    broken ? `${slug}: its entry did not load (${broken.file}:${broken.line}: ${broken.message})` : slug,
  );
}
