import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerDeps } from '../../src/main/api/deps';
import { createHandlers, invokeHandler } from '../../src/main/api/handlers';
import type { JobExecutor } from '../../src/main/core/jobs/executor';
import { createServices } from '../../src/main/core/services';
import type { JobRequest } from '../../src/shared/registry';
import { HOST, makeKernelWorkspace, type KernelWorkspace } from '../helpers/kernel-workspace';

// The kernel page's calls on the real handler object: the page names a host, main takes the workspace from its
// own settings and starts kernel.promote / kernel.build on the utility host. The host is a stand-in that records
// the request (the jobs run for real in test/integration/kernel-*.test.ts).

let dir: string;
let ws: KernelWorkspace;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-kernel-handlers-'));
  ws = await makeKernelWorkspace(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeApi(kernelWorkspace?: string) {
  const seen: { host: string; req: JobRequest }[] = [];
  const recorder = (host: string): JobExecutor => ({
    run: async (req) => {
      seen.push({ host, req });
      return {};
    },
  });
  const services = createServices({
    stateDir: join(dir, 'state', String(Math.random()).slice(2)),
    settingsDefaults: { dataRoot: dir, ...(kernelWorkspace ? { kernelWorkspace } : {}) },
    hosts: { utility: () => recorder('utility'), helper: () => recorder('helper') },
  });
  return { api: createHandlers(handlerDeps(services, async () => null)), services, seen };
}

describe('kernel handlers', () => {
  it('without a workspace setting: KERNEL_WORKSPACE_INVALID, no job', async () => {
    const { api, seen } = makeApi();
    expect(await invokeHandler(api, 'kernel.hosts', [])).toMatchObject({
      ok: false,
      error: { code: 'KERNEL_WORKSPACE_INVALID' },
    });
    expect(await invokeHandler(api, 'kernel.build', [{ host: HOST }])).toMatchObject({ ok: false });
    expect(seen).toEqual([]);
  });

  it('hosts and manifest read the workspace from the settings', async () => {
    const { api } = makeApi(ws.workspace);
    expect(await invokeHandler(api, 'kernel.hosts', [])).toEqual({
      ok: true,
      value: { workspace: ws.workspace, hosts: [HOST] },
    });
    expect(await invokeHandler(api, 'kernel.manifest', [{ host: HOST }])).toMatchObject({
      ok: true,
      value: { host: HOST, arch: 'aarch64' },
    });
  });

  it('promote and build start their job on the utility host with main’s workspace; a bad host starts nothing', async () => {
    const { api, services, seen } = makeApi(ws.workspace);
    for (const m of ['promote', 'build'] as const) {
      const r = (await invokeHandler(api, `kernel.${m}`, [{ host: HOST }])) as {
        ok: true;
        value: { jobId: string };
      };
      await services.runner.wait(r.value.jobId);
    }
    expect(seen).toEqual([
      { host: 'utility', req: { type: 'kernel.promote', params: { workspace: ws.workspace, host: HOST } } },
      { host: 'utility', req: { type: 'kernel.build', params: { workspace: ws.workspace, host: HOST } } },
    ]);
    for (const host of ['../x', 'nosuch'])
      expect(await invokeHandler(api, 'kernel.promote', [{ host }])).toMatchObject({ ok: false });
    // The page cannot name a path: an extra field fails the schema.
    expect(await invokeHandler(api, 'kernel.promote', [{ host: HOST, out: '/etc/x' }])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(seen).toHaveLength(2);
  });
});
