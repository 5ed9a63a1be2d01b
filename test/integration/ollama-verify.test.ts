import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOllamaBackend } from '../../src/main/core/models/ollama/backend';
import { recordingContext } from '../helpers/ollama-context';
import { startOllamaStandin, type OllamaStandin } from '../helpers/ollama-standin';

// Verify re-hashes the real blob files of the store the STAND-IN Ollama server keeps (test/helpers/
// ollama-standin.ts; Ollama cannot run here, it follows the v0.33.0-rc2 layout), and falls back to /api/show.

let dir: string;
let standin: OllamaStandin;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-ollama-verify-'));
  standin = await startOllamaStandin(join(dir, 'models'));
});
afterEach(async () => {
  await standin.close();
  await rm(dir, { recursive: true, force: true });
});

const blob = (digest: string): string => join(standin.modelsDir, 'blobs', digest.replace(':', '-'));

describe('verify', () => {
  it('a model whose blobs match its manifest: ok, by the blobs, with verify progress', async () => {
    const { size } = await standin.install('qwen3:4b');
    const backend = createOllamaBackend({ host: standin.host, modelsDir: standin.modelsDir, env: {} });
    const ctx = recordingContext();
    expect(await backend.verify('qwen3:4b', ctx)).toEqual({
      name: 'qwen3:4b',
      method: 'blobs',
      ok: true,
      problems: [],
    });
    expect(ctx.events.at(-1)).toMatchObject({ kind: 'models', phase: 'verify', bytes: size, total: size });
    expect(standin.requests).toEqual([]);
  });

  it('finds the store through OLLAMA_MODELS', async () => {
    await standin.install('qwen3:4b');
    const backend = createOllamaBackend({
      env: { OLLAMA_HOST: standin.host, OLLAMA_MODELS: ` "${standin.modelsDir}" ` },
    });
    expect(await backend.verify('qwen3:4b', recordingContext())).toMatchObject({ method: 'blobs', ok: true });
  });

  it('a corrupted blob (one byte changed, same size): not ok, naming the layer', async () => {
    const { digests } = await standin.install('qwen3:4b');
    const fh = await open(blob(digests[0]!), 'r+');
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, 1000);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, 1000);
    await fh.close();
    const backend = createOllamaBackend({ host: standin.host, modelsDir: standin.modelsDir, env: {} });
    const r = await backend.verify('qwen3:4b', recordingContext());
    expect(r).toMatchObject({ method: 'blobs', ok: false });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain(digests[0]!);
  });

  it('a missing blob: not ok', async () => {
    const { digests } = await standin.install('qwen3:4b');
    await rm(blob(digests[1]!));
    const backend = createOllamaBackend({ host: standin.host, modelsDir: standin.modelsDir, env: {} });
    const r = await backend.verify('qwen3:4b', recordingContext());
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/missing/);
  });

  // Root reads any mode, so "unreadable" here is a store path that cannot be a directory (a file in its way):
  // the same branch as another user's 0700 store for a normal user.
  it('falls back to /api/show when the store cannot be read from here', async () => {
    await standin.install('qwen3:4b');
    const notADir = join(dir, 'file');
    await writeFile(notADir, 'x');
    const backend = createOllamaBackend({ host: standin.host, modelsDir: join(notADir, 'models'), env: {} });
    const ctx = recordingContext();
    expect(await backend.verify('qwen3:4b', ctx)).toEqual({
      name: 'qwen3:4b',
      method: 'api',
      ok: true,
      problems: [],
    });
    expect(standin.requests).toContainEqual({ method: 'POST', path: '/api/show' });
    expect(ctx.logs.join('\n')).toContain('asking the server');
  });

  it('the fallback reports a model the server does not have as not ok', async () => {
    const backend = createOllamaBackend({ host: standin.host, modelsDir: join(dir, 'elsewhere'), env: {} });
    const r = await backend.verify('gemma3:1b', recordingContext());
    expect(r).toMatchObject({ method: 'api', ok: false });
    expect(r.problems[0]).toContain("model 'gemma3:1b' not found");
  });
});
