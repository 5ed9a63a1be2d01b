import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOllamaBackend } from '../../src/main/core/models/ollama/backend';
import type { OllamaBackend } from '../../src/main/core/models/ollama-backend';
import { KintsugiError } from '../../src/shared/errors';
import { recordingContext } from '../helpers/ollama-context';
import { refusedHost, startOllamaStandin, type OllamaStandin } from '../helpers/ollama-standin';

// Reaching the server, listing, removing and refusing bad names: the real backend against the STAND-IN Ollama
// server of test/helpers/ollama-standin.ts (Ollama cannot run here; it follows the v0.33.0-rc2 wire format).

let dir: string;
let standin: OllamaStandin;
let backend: OllamaBackend;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-ollama-server-'));
  standin = await startOllamaStandin(join(dir, 'models'));
  backend = createOllamaBackend({ host: standin.host, modelsDir: standin.modelsDir, env: {} });
});
afterEach(async () => {
  await standin.close();
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<KintsugiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KintsugiError);
  return err as KintsugiError;
}

describe('reaching the server', () => {
  it('not running: MODELS_OLLAMA_UNREACHABLE, with a hint that names OLLAMA_HOST and the address tried', async () => {
    const host = await refusedHost();
    const down = createOllamaBackend({ env: { OLLAMA_HOST: host } });
    for (const call of [down.version(), down.list(), down.pull('qwen3:4b', recordingContext())]) {
      const err = await failure(call);
      expect(err.code).toBe('MODELS_OLLAMA_UNREACHABLE');
      expect(err.hint).toContain('OLLAMA_HOST');
      expect(err.hint).toContain(host);
    }
  });

  it('too old: the version found and the one needed, and no pull posted', async () => {
    standin.faults.version = '0.1.17';
    standin.publish('qwen3:4b');
    const err = await failure(backend.pull('qwen3:4b', recordingContext()));
    expect(err.code).toBe('MODELS_OLLAMA_TOO_OLD');
    expect(err.detail).toContain('0.1.17');
    expect(err.detail).toContain('0.1.18');
    expect(standin.pulls).toHaveLength(0);
  });

  it('too old: a server without /api/version', async () => {
    standin.faults.noVersionRoute = true;
    expect((await failure(backend.version())).code).toBe('MODELS_OLLAMA_TOO_OLD');
  });

  it('a current server: its version', async () => {
    standin.faults.version = '0.33.0-rc2';
    expect(await backend.version()).toBe('0.33.0-rc2');
  });
});

describe('list and remove', () => {
  it('lists what the server has, with manifest digest, size and details', async () => {
    const a = await standin.install('qwen3:4b', {
      family: 'qwen3',
      parameterSize: '4.0B',
      quantization: 'Q4_K_M',
    });
    const b = await standin.install('gemma3:1b', {
      layers: [5_000],
      family: 'gemma3',
      parameterSize: '1.0B',
      quantization: 'Q8_0',
    });
    const models = (await backend.list()).sort((x, y) => x.name.localeCompare(y.name));
    expect(models).toMatchObject([
      { name: 'gemma3:1b', size: b.size, family: 'gemma3', parameterSize: '1.0B', quantization: 'Q8_0' },
      { name: 'qwen3:4b', size: a.size, family: 'qwen3', parameterSize: '4.0B', quantization: 'Q4_K_M' },
    ]);
    for (const m of models) {
      expect(m.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isNaN(Date.parse(m.modifiedAt ?? ''))).toBe(false);
    }
  });

  it('removes through /api/delete; a model it does not have is MODELS_OLLAMA_NOT_FOUND', async () => {
    await standin.install('qwen3:4b');
    await standin.install('gemma3:1b', { layers: [5_000] });
    await backend.remove('qwen3:4b');
    expect((await backend.list()).map((m) => m.name)).toEqual(['gemma3:1b']);
    expect(standin.requests).toContainEqual({ method: 'DELETE', path: '/api/delete' });
    const err = await failure(backend.remove('qwen3:4b'));
    expect(err.code).toBe('MODELS_OLLAMA_NOT_FOUND');
    expect(err.detail).toContain("model 'qwen3:4b' not found");
  });
});

describe('slugs', () => {
  const bad = [
    'qwen3:4b;rm -rf ~',
    '$(reboot):latest',
    'qwen3:`id`',
    'qwen 3:4b',
    '../../etc:passwd',
    'library/../x:1',
    'qwen3:..',
    'qwen3:4b@sha256:zz',
    '',
  ];
  it.each(bad)('refuses %j before any request', async (slug) => {
    for (const call of [
      backend.pull(slug, recordingContext()),
      backend.verify(slug, recordingContext()),
      backend.remove(slug),
    ])
      expect((await failure(call)).code).toBe('MODELS_OLLAMA_SLUG_INVALID');
    expect(standin.requests).toEqual([]);
  });

  it('accepts name:tag and name:tag@sha256:<hex>, posting the pin to the server', async () => {
    const pub = standin.publish('qwen3:4b');
    const model = await backend.pull('qwen3:4b', recordingContext());
    await backend.pull(`qwen3:4b@sha256:${model.digest}`, recordingContext());
    expect(standin.pulls.map((p) => p.ref)).toEqual(['qwen3:4b', `qwen3:4b@sha256:${model.digest}`]);
    expect(pub.digests).toHaveLength(3);
    const wrong = await failure(backend.pull(`qwen3:4b@sha256:${'0'.repeat(64)}`, recordingContext()));
    expect(wrong.code).toBe('MODELS_OLLAMA_PULL_FAILED');
  });
});
