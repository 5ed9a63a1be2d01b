import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../helpers/cli';
import { modelsDataRoot, writeUserManifest } from '../helpers/models-fixture';
import { startOllamaStandin, type OllamaStandin } from '../helpers/ollama-standin';

// The built `kintsugi-models` bin with the real Ollama client wired in, against the STAND-IN Ollama server of
// test/helpers/ollama-standin.ts (no Ollama server can run here; it follows the v0.33.0-rc2 wire format): the
// guide's `pull` of an Ollama slug, then `list` and `verify` seeing it through /api/tags and the blob store.

const BIN = resolve('bin/kintsugi-models.js');
let standin: OllamaStandin;
let dir: string;
let root: string;

beforeAll(async () => {
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-models-ollama-'));
  standin = await startOllamaStandin(join(dir, 'ollama-models'));
  root = await modelsDataRoot();
  await writeUserManifest(root, 'models:\n  - slug: tiny:1b\n    source: ollama\n');
});
afterAll(async () => {
  await standin.close();
  await rm(dir, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

const run = (args: string[]) =>
  execa(process.execPath, [BIN, ...args, '--data-root', root, '--json'], {
    reject: false,
    env: { OLLAMA_HOST: standin.host, OLLAMA_MODELS: standin.modelsDir, XDG_STATE_HOME: join(dir, 'state') },
    stdin: 'ignore',
    timeout: 60_000,
  });

describe('kintsugi-models with the real Ollama client (stand-in server)', () => {
  it('pulls an Ollama slug, then lists it installed and verifies its blobs', async () => {
    const { size } = standin.publish('tiny:1b', { layers: [200_000, 50_000] });
    const pulled = await run(['pull', 'tiny:1b']);
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(standin.pulls.map((p) => p.name)).toEqual(['tiny:1b']);

    const listed = await run(['list']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout) as {
      result: {
        ollama: { reachable: boolean };
        models: { slug: string; status: string; sizeOnDisk?: number }[];
      };
    };
    expect(list.result.ollama.reachable).toBe(true);
    expect(list.result.models.find((m) => m.slug === 'tiny:1b')).toMatchObject({ status: 'installed' });
    expect(size).toBeGreaterThan(250_000);

    const verified = await run(['verify', 'tiny:1b']);
    expect(verified.exitCode, verified.stderr + verified.stdout).toBe(0);
  });
});
