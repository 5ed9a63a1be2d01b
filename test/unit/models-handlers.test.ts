import { createServer } from 'node:net';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerDeps } from '../../src/main/api/deps';
import { createHandlers, invokeHandler } from '../../src/main/api/handlers';
import type { JobExecutor } from '../../src/main/core/jobs/executor';
import { createServices } from '../../src/main/core/services';
import type { ModelsList } from '../../src/shared/models/contract';
import type { JobRequest } from '../../src/shared/registry';
import { modelsDataRoot, writeUserManifest } from '../helpers/models-fixture';

// The models page's calls on the real handler object: the page sends a slug, main checks it against its own
// manifests and starts the job on the utility host with its own data root. The hosts are a stand-in that records
// the request it was handed (the jobs run for real in test/integration/models-*.test.ts).

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-models-handlers-'));
  data = await modelsDataRoot();
  await mkdir(join(data, 'models', 'user'), { recursive: true });
  await writeUserManifest(
    data,
    'models:\n  - slug: mine\n    source: huggingface\n    repo: a/b\n    file: mine.gguf\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(data, { recursive: true, force: true });
});

function makeApi() {
  const seen: { host: string; req: JobRequest }[] = [];
  const recorder = (host: string): JobExecutor => ({
    run: async (req) => {
      seen.push({ host, req });
      return {};
    },
  });
  const services = createServices({
    stateDir: join(dir, 'state', String(Math.random()).slice(2)),
    settingsDefaults: { dataRoot: data },
    hosts: { utility: () => recorder('utility'), helper: () => recorder('helper') },
  });
  return { api: createHandlers(handlerDeps(services, async () => null)), services, seen };
}

describe('models handlers', () => {
  it('pull: a known slug starts models-pull on the utility host with main’s own data root', async () => {
    const { api, services, seen } = makeApi();
    // The metered setting travels from main's settings; the page passes only the person's yes.
    await services.settings.save({ metered: 'yes' });
    const r = (await invokeHandler(api, 'models.pull', [{ slug: 'mine', allowMetered: true }])) as {
      ok: true;
      value: { jobId: string };
    };
    await services.runner.wait(r.value.jobId);
    expect(seen).toEqual([
      {
        host: 'utility',
        req: {
          type: 'models-pull',
          params: { dataRoot: data, slug: 'mine', allowMetered: true, meteredSetting: 'yes' },
        },
      },
    ]);
  });

  it('pull: an unknown slug fails before a job; an injected one fails the schema', async () => {
    const { api, seen } = makeApi();
    expect(await invokeHandler(api, 'models.pull', [{ slug: 'nope' }])).toMatchObject({
      ok: false,
      error: { code: 'MODEL_NOT_FOUND' },
    });
    expect(await invokeHandler(api, 'models.pull', [{ slug: 'x; rm -rf /' }])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await invokeHandler(api, 'models.pull', [{ slug: 'mine', url: 'http://evil' }])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(seen).toEqual([]);
  });

  it('list: the user entry and the shipped ones; the Ollama side unknown with why (no server answers)', async () => {
    const { api } = makeApi();
    // The real client, pointed at a port just freed (nothing listens), whatever runs on this machine.
    const port = await freePort();
    const saved = process.env['OLLAMA_HOST'];
    process.env['OLLAMA_HOST'] = `127.0.0.1:${port}`;
    const l = (await invokeHandler(api, 'models.list', []).finally(() => {
      if (saved === undefined) delete process.env['OLLAMA_HOST'];
      else process.env['OLLAMA_HOST'] = saved;
    })) as { ok: true; value: ModelsList };
    expect(l.value.models.find((m) => m.slug === 'mine')).toMatchObject({
      from: 'user-only',
      status: 'missing',
    });
    expect(l.value.ollama).toMatchObject({
      reachable: false,
      reason: expect.stringContaining(`nothing answered at http://127.0.0.1:${port} `),
    });
  });
});

/** A loopback port nothing listens on any more. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
