import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

function makeApi(kernelWorkspace?: string, root?: string) {
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
    ...(root ? { kernel: { root } } : {}),
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

describe('kernel handlers: status, install, rollback (main’s root, never the page’s)', () => {
  it('status reads the host’s record under main’s root; overdue is [] without a workspace', async () => {
    const root = join(dir, 'root-status');
    await mkdir(root, { recursive: true });
    const { api } = makeApi(ws.workspace, root);
    expect(await invokeHandler(api, 'kernel.status', [{ host: HOST }])).toMatchObject({
      ok: true,
      value: { host: HOST, root, state: 'not-installed', overdue: false, heartbeat: null },
    });
    // Mutation caught: overdue() throwing without a workspace (the tray would then count an error, not zero).
    expect(await invokeHandler(makeApi().api, 'kernel.overdue', [])).toEqual({ ok: true, value: [] });
  });

  it('install starts kernel.install on the helper with main’s workspace and root and the checked path', async () => {
    const root = join(dir, 'root-install');
    await mkdir(root, { recursive: true });
    const pkg = join(dir, 'linux-fresnel-6.9.0-1-aarch64.pkg.tar.zst');
    await writeFile(pkg, 'not really a package: the helper reads it');
    const { api, services, seen } = makeApi(ws.workspace, root);
    const r = (await invokeHandler(api, 'kernel.install', [
      { host: HOST, packageFile: `${dir}/./${pkg.slice(dir.length + 1)}` },
    ])) as {
      ok: true;
      value: { jobId: string };
    };
    expect(r.ok).toBe(true);
    await services.runner.wait(r.value.jobId);
    const back = (await invokeHandler(api, 'kernel.rollback', [{ host: HOST }])) as {
      ok: true;
      value: { jobId: string };
    };
    await services.runner.wait(back.value.jobId);
    // Mutations caught: the page's path passed on unnormalised, the root not main's, another host than helper.
    expect(seen).toEqual([
      {
        host: 'helper',
        req: {
          type: 'kernel.install',
          params: { workspace: ws.workspace, host: HOST, packageFile: pkg, root },
        },
      },
      { host: 'helper', req: { type: 'kernel.rollback', params: { host: HOST, root } } },
    ]);
  });

  it('install refuses, before any job, a missing file, a folder, a package of the other kind and a page-sent root', async () => {
    const { api, seen } = makeApi(ws.workspace, join(dir, 'root-refused'));
    const deb = join(dir, 'linux-fresnel_6.9.0-1_arm64.deb');
    await writeFile(deb, '');
    // Mutation caught: dropping checkPackagePath in the handler (the helper would be the first to look).
    for (const packageFile of [join(dir, 'none.pkg.tar.zst'), dir, deb])
      expect(await invokeHandler(api, 'kernel.install', [{ host: HOST, packageFile }])).toMatchObject({
        ok: false,
        error: { code: 'KERNEL_INSTALL_BAD_PACKAGE' },
      });
    expect(
      await invokeHandler(api, 'kernel.install', [{ host: HOST, packageFile: deb, root: '/' }]),
    ).toMatchObject({ ok: false });
    expect(await invokeHandler(api, 'kernel.rollback', [{ host: HOST, root: '/' }])).toMatchObject({
      ok: false,
    });
    expect(seen).toEqual([]);
  });
});
