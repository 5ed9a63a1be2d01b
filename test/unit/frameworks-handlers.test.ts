import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerDeps } from '../../src/main/api/deps';
import { createHandlers, invokeHandler } from '../../src/main/api/handlers';
import type { JobExecutor } from '../../src/main/core/jobs/executor';
import { userFrameworksManifest } from '../../src/main/core/layers/data-layout';
import { createServices } from '../../src/main/core/services';
import type { FrameworkCatalog } from '../../src/shared/frameworks/contract';
import type { JobRequest } from '../../src/shared/registry';

// The frameworks page's calls on the real handler object: the page sends a name (and a yes), main builds the job
// from its own catalog and consent rule. The hosts are a stand-in that records the request it was handed (the
// recipes themselves run for real in test/integration/frameworks-*.test.ts).

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-fw-handlers-'));
  await mkdir(join(dir, 'data', 'frameworks', 'user'), { recursive: true });
  await writeFile(
    userFrameworksManifest(join(dir, 'data')),
    'frameworks:\n  - name: my-apt-fw\n    recipe: { apt: "my-fw" }\n    binary: my-fw\n  - name: "x; rm"\n    recipe: { npm: "x" }\n    binary: x\n',
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function makeApi() {
  const seen: { host: string; req: JobRequest }[] = [];
  const recorder = (host: string): JobExecutor => ({
    run: async (req) => {
      seen.push({ host, req });
      return { name: (req.params as { name: string }).name, state: { installed: true } };
    },
  });
  const services = createServices({
    stateDir: join(dir, 'state', String(Math.random()).slice(2)),
    settingsDefaults: { dataRoot: join(dir, 'data') },
    hosts: { utility: () => recorder('utility'), helper: () => recorder('helper') },
  });
  const api = createHandlers(handlerDeps(services, async () => null));
  return { api, services, seen };
}

describe('frameworks handlers', () => {
  it('catalog: shipped recommended entries, the user entry with needsYes and needsRoot, the bad entry as a problem', async () => {
    const { api } = makeApi();
    const cat = (await invokeHandler(api, 'frameworks.catalog', [])) as { ok: true; value: FrameworkCatalog };
    const byName = Object.fromEntries(cat.value.entries.map((e) => [e.entry.name, e]));
    expect(byName['aider']).toMatchObject({ source: 'recommended', needsYes: false, needsRoot: false });
    expect(byName['my-apt-fw']).toMatchObject({ source: 'user', needsYes: true, needsRoot: true });
    expect(cat.value.problems).toEqual([
      expect.objectContaining({ file: userFrameworksManifest(join(dir, 'data')), line: 5, column: 11 }),
    ]);
    expect(cat.value.recommendedFile.from).toBe('shipped');
  });

  it('install: an evaluating entry needs yes; with it, the job is built from the catalog and sent to its host', async () => {
    const { api, services, seen } = makeApi();
    const refused = await invokeHandler(api, 'frameworks.install', [{ name: 'gemini-cli' }]);
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(seen).toEqual([]);

    // The metered setting travels from main's settings; the page passes only the person's yes.
    await services.settings.save({ metered: 'yes' });
    const started = (await invokeHandler(api, 'frameworks.install', [
      { name: 'gemini-cli', yes: true, allowMetered: true },
    ])) as {
      ok: true;
      value: { jobId: string };
    };
    await services.runner.wait(started.value.jobId);
    expect(seen).toEqual([
      {
        host: 'utility',
        req: {
          type: 'framework-install',
          params: {
            name: 'gemini-cli',
            recipe: { npm: '@google/gemini-cli' },
            binary: 'gemini',
            allowMetered: true,
            meteredSetting: 'yes',
          },
        },
      },
    ]);
  });

  it('uninstall of a user apt entry goes to the helper with the package name only', async () => {
    const { api, services, seen } = makeApi();
    const r = (await invokeHandler(api, 'frameworks.uninstall', [{ name: 'my-apt-fw' }])) as {
      ok: true;
      value: { jobId: string };
    };
    await services.runner.wait(r.value.jobId);
    expect(seen).toEqual([
      {
        host: 'helper',
        req: {
          type: 'framework-uninstall-system',
          params: { name: 'my-apt-fw', package: 'my-fw', binary: 'my-fw' },
        },
      },
    ]);
  });

  it('refuses an unknown name, a name with shell characters and a recipe sent by the page, before any job', async () => {
    const { api, seen } = makeApi();
    expect(await invokeHandler(api, 'frameworks.install', [{ name: 'nope', yes: true }])).toMatchObject({
      ok: false,
      error: { code: 'FRAMEWORK_NOT_FOUND', detail: expect.stringMatching(/no framework named nope/) },
    });
    expect(await invokeHandler(api, 'frameworks.install', [{ name: 'a;b' }])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(
      await invokeHandler(api, 'frameworks.install', [{ name: 'aider', recipe: { apt: 'bash' } }]),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(seen).toEqual([]);
  });
});
