import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { listModels } from '../../src/main/core/models/catalog';
import type { OllamaBackend, OllamaModel } from '../../src/main/core/models/ollama-backend';
import { removeModel } from '../../src/main/core/models/remove';
import { missingPlan } from '../../src/main/core/models/summary';
import { verifyModels } from '../../src/main/core/models/verify';
import { writeGgufFile } from '../helpers/gguf-fixture';
import { modelsDataRoot, recordingContext, writeUserManifest } from '../helpers/models-fixture';

// The list (the union of the manifests with the disk and the server), verify and remove, on a temp data root
// with a recommended manifest in the toolkit clone's place and real GGUF files. The Ollama server is an in-test
// FAKE implementing OllamaBackend (the real client and its stand-in server are another engineer's); it only
// feeds the union logic and records what remove / verify asked of it.

class FakeOllama implements OllamaBackend {
  host = 'fake-ollama:11434';
  removed: string[] = [];
  constructor(
    private readonly models: OllamaModel[] | Error,
    private readonly verifyOk = true,
  ) {}
  version = async () => '0.0.0-fake';
  list = async () => {
    if (this.models instanceof Error) throw this.models;
    return this.models;
  };
  pull = async (): Promise<OllamaModel> => {
    throw new Error('not used');
  };
  verify = async (name: string) => ({
    name,
    method: 'api' as const,
    ok: this.verifyOk,
    problems: this.verifyOk ? [] : ['layer x: sha256 differs'],
  });
  remove = async (name: string) => {
    this.removed.push(name);
  };
}

const RECOMMENDED = `models:
  - slug: llama3.1:8b
    source: ollama
    status: recommended
  - slug: qwen2.5-coder:7b
    source: ollama
    status: recommended
  - slug: small
    source: huggingface
    repo: org/small-GGUF
    file: small.gguf
    size: 4096
    status: recommended
  - slug: half
    source: huggingface
    repo: org/half-GGUF
    file: half.gguf
    size: 8192
    status: recommended
`;

let root: string;
let shaSmall: string;
const udir = () => join(root, 'models', 'user');

beforeEach(async () => {
  root = await modelsDataRoot();
  await mkdir(join(root, 'repo', 'kintsugi-usb', 'manifest'), { recursive: true });
  await writeFile(join(root, 'repo', 'kintsugi-usb', 'manifest', 'models-recommended.yaml'), RECOMMENDED);
  await writeUserManifest(
    root,
    `# my own models — keep this comment
models:
  # the small one, pinned to my own copy
  - slug: small
    source: huggingface
    repo: me/small-GGUF
    file: small.gguf
    size: 4096
    status: recommended
  - slug: mine
    source: huggingface
    repo: me/mine-GGUF
    file: mine.gguf
    status: evaluating   # trying it out
`,
  );
  shaSmall = await writeGgufFile(join(udir(), 'small.gguf'), 4096);
  await writeGgufFile(join(udir(), 'half.gguf.incomplete'), 2500);
  await writeGgufFile(join(udir(), 'stray.gguf'), 1024, 3, { architecture: 'phi3' });
  await writeFile(join(udir(), 'mine.gguf'), '<html>not a model</html>');
});
afterEach(() => rm(root, { recursive: true, force: true }));

const ollamaHas: OllamaModel[] = [
  {
    name: 'llama3.1:8b',
    digest: 'a'.repeat(64),
    size: 4_900_000_000,
    family: 'llama',
    quantization: 'Q4_K_M',
  },
  { name: 'extra:latest', digest: 'b'.repeat(64), size: 1000 },
];

describe('models list', () => {
  it('the union: from (recommended / shadowed / user-only / unlisted), status, partial %, corrupt, headers', async () => {
    const l = await listModels(root, new FakeOllama(ollamaHas));
    const by = Object.fromEntries(l.models.map((m) => [m.slug, m]));
    expect(l.ollama).toEqual({ reachable: true, host: 'fake-ollama:11434' });
    expect(by['llama3.1:8b']).toMatchObject({
      from: 'recommended',
      status: 'installed',
      sizeOnDisk: 4_900_000_000,
    });
    expect(by['qwen2.5-coder:7b']).toMatchObject({ from: 'recommended', status: 'missing' });
    expect(by['small']).toMatchObject({
      from: 'shadowed',
      status: 'installed',
      sizeOnDisk: 4096,
      gguf: { architecture: 'llama' },
    });
    expect(by['half']).toMatchObject({
      from: 'recommended',
      status: 'partial',
      percent: 30.5,
      sizeOnDisk: 2500,
    });
    expect(by['mine']).toMatchObject({ from: 'user-only', status: 'corrupt' });
    expect(by['mine']!.statusDetail).toMatch(/HTML page/);
    expect(by['stray.gguf']).toMatchObject({
      from: 'unlisted',
      status: 'installed',
      gguf: { architecture: 'phi3' },
    });
    expect(by['extra:latest']).toMatchObject({ from: 'unlisted', source: 'ollama', status: 'installed' });
    expect(l.models).toHaveLength(7);
  });

  it('Ollama unreachable: the GGUF side is listed, the Ollama side is unknown and says why', async () => {
    const l = await listModels(
      root,
      new FakeOllama(new KintsugiError('MODELS_OLLAMA_UNREACHABLE', 'connect ECONNREFUSED 127.0.0.1:11434')),
    );
    expect(l.ollama).toMatchObject({
      reachable: false,
      reason: expect.stringMatching(/could not be reached.*ECONNREFUSED/),
    });
    const by = Object.fromEntries(l.models.map((m) => [m.slug, m]));
    expect(by['llama3.1:8b']).toMatchObject({
      status: 'unknown',
      statusDetail: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(by['small']!.status).toBe('installed');
  });

  it('pull --missing plans the recommended ones not present, with the bytes still to fetch', async () => {
    const plan = missingPlan(await listModels(root, new FakeOllama(ollamaHas)));
    expect(plan.slugs).toEqual(['qwen2.5-coder:7b', 'half']);
    expect(plan.totalBytes).toBe(8192 - 2500);
    expect(plan.unknownSizes).toEqual(['qwen2.5-coder:7b']);
  });
});

describe('models verify', () => {
  it('ok against the manifest sha256; unverifiable without one; Ollama through the backend', async () => {
    const user = await readFile(join(udir(), 'models.yaml'), 'utf8');
    await writeFile(
      join(udir(), 'models.yaml'),
      user.replace('    size: 4096\n', `    size: 4096\n    sha256: ${shaSmall}\n`),
    );
    const r = await verifyModels(
      { dataRoot: root, slugs: ['small', 'half', 'llama3.1:8b'], all: false },
      recordingContext(),
      () => new FakeOllama(ollamaHas, false),
    );
    expect(r.models).toEqual([
      { slug: 'small', outcome: 'ok' },
      { slug: 'half', outcome: 'missing', detail: join(udir(), 'half.gguf') },
      { slug: 'llama3.1:8b', outcome: 'mismatch', detail: 'layer x: sha256 differs' },
    ]);
    await writeFile(
      join(udir(), 'small.gguf'),
      Buffer.concat([await readFile(join(udir(), 'small.gguf')), Buffer.from('x')]),
    );
    const again = await verifyModels(
      { dataRoot: root, slugs: ['small'], all: false },
      recordingContext(),
      () => new FakeOllama([]),
    );
    expect(again.models[0]!.outcome).toBe('mismatch');
  });

  it('a file without a manifest sha256 is unverifiable, not ok', async () => {
    const r = await verifyModels(
      { dataRoot: root, slugs: ['small'], all: false },
      recordingContext(),
      () => new FakeOllama([]),
    );
    expect(r.models[0]).toMatchObject({ outcome: 'unverifiable' });
  });
});

describe('models remove', () => {
  it('without --delete-weights: only the user entry goes, comments and the rest kept, weights kept', async () => {
    const r = await removeModel(
      { dataRoot: root, slug: 'mine', deleteWeights: false },
      recordingContext(),
      () => new FakeOllama([]),
    );
    expect(r).toEqual({ slug: 'mine', entryRemoved: true, weightsDeleted: [] });
    const text = await readFile(join(udir(), 'models.yaml'), 'utf8');
    expect(text).toContain('# my own models — keep this comment');
    expect(text).toContain('# the small one, pinned to my own copy');
    expect(text).toContain('repo: me/small-GGUF');
    expect(text).not.toContain('mine');
    expect((await stat(join(udir(), 'mine.gguf'))).isFile()).toBe(true);
  });

  it('with --delete-weights: the file and its partial go; an Ollama model through the backend', async () => {
    const fake = new FakeOllama(ollamaHas);
    await removeModel({ dataRoot: root, slug: 'half', deleteWeights: true }, recordingContext(), () => fake);
    expect(await stat(join(udir(), 'half.gguf.incomplete')).catch(() => null)).toBeNull();
    await removeModel(
      { dataRoot: root, slug: 'llama3.1:8b', deleteWeights: true },
      recordingContext(),
      () => fake,
    );
    expect(fake.removed).toEqual(['llama3.1:8b']);
  });

  it('a recommended entry cannot be dropped from the list, only its weights', async () => {
    const err = await removeModel(
      { dataRoot: root, slug: 'half', deleteWeights: false },
      recordingContext(),
      () => new FakeOllama([]),
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('INVALID_ARGUMENT');
  });

  it('a file no manifest names is deleted only with its name typed back', async () => {
    const stray = join(udir(), 'stray.gguf');
    for (const typed of [undefined, 'yes', 'stray'])
      expect(
        (
          (await removeModel(
            { dataRoot: root, slug: 'stray.gguf', deleteWeights: true, ...(typed ? { typed } : {}) },
            recordingContext(),
            () => new FakeOllama([]),
          ).catch((e: unknown) => e)) as KintsugiError
        ).code,
      ).toBe('CONFIRMATION_REQUIRED');
    expect((await stat(stray)).isFile()).toBe(true);
    await removeModel(
      { dataRoot: root, slug: 'stray.gguf', deleteWeights: true, typed: 'stray.gguf' },
      recordingContext(),
      () => new FakeOllama([]),
    );
    expect(await stat(stray).catch(() => null)).toBeNull();
  });

  it('an unknown slug: MODEL_NOT_FOUND, nothing touched', async () => {
    const err = await removeModel(
      { dataRoot: root, slug: 'nope', deleteWeights: true },
      recordingContext(),
      () => new FakeOllama([]),
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('MODEL_NOT_FOUND');
  });
});
