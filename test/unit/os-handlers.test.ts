import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { handlerDeps } from '../../src/main/api/deps';
import { createHandlers, invokeHandler } from '../../src/main/api/handlers';
import type { JobExecutor } from '../../src/main/core/jobs/executor';
import { osExecutor } from '../../src/main/core/os/jobs';
import { OS_BACKGROUND_FLOW } from '../../src/main/core/os/record-jobs';
import { createServices } from '../../src/main/core/services';
import type { OsOverview } from '../../src/shared/os/contract';
import type { JobRequest } from '../../src/shared/registry';
import { fakeOsBackends, readFakeSystem, update, writeFakeSystem } from '../helpers/fake-os-backend';

// The OS page's calls on the real handler object: the page names no system (main's own target goes into every
// job), its payloads are checked against the contract, and every job's outcome lands in os.json, which the
// overview (home card, tray, page header) reads. The helper host is the in-process OS executor over the stand-in
// backend (test/helpers/fake-os-backend.ts) in a temp root; the real backends run in test/integration.

const dir = mkdtempSync(join(tmpdir(), 'kintsugi-os-handlers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function makeApi() {
  const root = join(dir, `root-${++n}`);
  mkdirSync(join(root, 'var', 'lib', 'dpkg'), { recursive: true });
  writeFileSync(join(root, 'var', 'lib', 'dpkg', 'status'), '');
  writeFakeSystem(root, {
    available: [update('openssl', '3.0.14', '3.0.15', true), update('tzdata', '2026a', '2026b')],
    listed: [],
    installed: {},
    deployments: [],
  });
  const seen: JobRequest[] = [];
  const real = osExecutor(fakeOsBackends());
  const helper: JobExecutor = {
    run: (req, ctx) => {
      seen.push(req);
      return real.run(req, ctx);
    },
  };
  const services = createServices({
    stateDir: join(dir, `state-${n}`),
    hosts: { helper: () => helper },
    os: { target: { root }, backends: fakeOsBackends() },
  });
  const api = createHandlers(handlerDeps(services, async () => null));
  const overview = async () => (await api.os.overview()) as OsOverview;
  const wait = async (jobId: string) => {
    const r = await services.runner.wait(jobId);
    await services.os.store.idle();
    return r;
  };
  return { api, services, root, seen, overview, wait };
}

describe('os handlers', () => {
  it('overview before anything: nothing counted, the backend detected on main’s root, a check due now', async () => {
    const { overview, root } = makeApi();
    const o = await overview();
    expect(o.badge).toEqual({
      updates: 0,
      security: 0,
      rebootRequired: false,
      interrupted: false,
      checkOverdue: false,
    });
    expect(o.backend).toMatchObject({ name: 'apt', how: 'detected' });
    expect(o.target).toEqual({ root, sysroot: '/' });
    expect(o.schedule).toEqual({ intervalHours: 6, onMetered: false });
    expect(o.state).toBeUndefined();
  });

  it('check now: main’s target in the job, the outcome and the numbers in the overview', async () => {
    const { api, services, root, seen, overview, wait } = makeApi();
    await services.settings.save({ metered: 'no', osCheckIntervalHours: 4 });
    const { jobId } = await api.os.check({ allowMetered: false });
    expect((await wait(jobId)).state).toBe('done');
    expect(seen[0]).toEqual({
      type: 'os-check',
      params: { root, sysroot: '/', lockTimeoutSeconds: 120, allowMetered: false, meteredSetting: 'no' },
    });
    const o = await overview();
    expect(o.badge).toMatchObject({ updates: 2, security: 1 });
    expect(o.lastCheck).toMatchObject({ ok: true, by: 'user' });
    expect(o.stateFrom).toBe('check');
    expect(o.lastSuccessAt).toBe(o.lastCheck!.at);
    // The person's check counts for the interval: the next background one is 4 h later.
    expect(Date.parse(o.schedule.nextAt!) - Date.parse(o.lastCheck!.at)).toBe(4 * 3600 * 1000);
  });

  it('overview asked on a job’s end event answers the state after the job (it waits for main’s record)', async () => {
    const { api, services, overview } = makeApi();
    const answered = new Promise<OsOverview>((resolve) => {
      const off = services.runner.onEvent((e) => {
        if (e.jobType !== 'os-check' || e.type !== 'done') return;
        off();
        resolve(overview()); // as the page does: on the event, before the record's write has landed
      });
    });
    await api.os.check({ allowMetered: false });
    const o = await answered;
    expect(o.lastCheck).toMatchObject({ ok: true, by: 'user' });
    expect(o.badge.updates).toBe(2);
  });

  it('the backend the settings force goes into the job; "auto" detects again', async () => {
    const { api, services, seen, wait } = makeApi();
    await services.settings.save({ osBackend: 'ostree' });
    await wait((await api.os.rollback()).jobId);
    expect(seen.at(-1)!.params).toMatchObject({ backend: 'ostree' });
    await services.settings.save({ osBackend: 'auto' });
    await wait((await api.os.rollback()).jobId);
    expect(seen.at(-1)!.params).not.toHaveProperty('backend');
  });

  it('refuses a payload that names a system or a bad deployment, before any job starts', async () => {
    const { api, seen } = makeApi();
    for (const [name, args] of [
      ['os.check', [{ allowMetered: false, root: '/' }]],
      ['os.apply', [{ sysroot: '/tmp' }]],
      ['os.pin', [{ index: 64, pinned: true }]],
      ['os.pin', [{ index: -1, pinned: true }]],
      ['os.pin', [{ index: 1 }]],
      ['os.pin', [{ index: 1, pinned: true, osName: 'x' }]],
      ['os.rollback', [{ root: '/' }]],
    ] as const) {
      const r = await invokeHandler(api, name, args);
      expect(r, `${name} ${JSON.stringify(args)}`).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT' },
      });
    }
    expect(seen).toEqual([]);
  });

  it('a failed check is recorded without moving the last success; a background one says so', async () => {
    const { api, services, root, overview, wait } = makeApi();
    await wait((await api.os.check({ allowMetered: true })).jobId);
    const ok = await overview();
    writeFakeSystem(root, { ...readFakeSystem(root), failCheck: 'INTERNAL' });
    const id = services.runner.start(
      { type: 'os-check', params: { root, allowMetered: true } },
      services.executor,
      { flow: OS_BACKGROUND_FLOW },
    );
    expect((await wait(id)).state).toBe('failed');
    const o = await overview();
    expect(o.lastCheck).toMatchObject({ ok: false, by: 'background', error: { code: 'INTERNAL' } });
    expect(o.lastSuccessAt).toBe(ok.lastSuccessAt);
    // The state of the last success stays: its updates are still the best knowledge.
    expect(o.badge.updates).toBe(2);
  });

  it('the metered gate runs in the job: refused without the person’s yes, done with it', async () => {
    const { api, services, wait } = makeApi();
    await services.settings.save({ metered: 'yes' });
    const refused = await wait((await api.os.check({ allowMetered: false })).jobId);
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'NETWORK_METERED' } });
    const done = await wait((await api.os.check({ allowMetered: true })).jobId);
    expect(done.state).toBe('done');
  });

  it('apply: the applied updates leave the count, the reboot is asked for; refresh reads the state again', async () => {
    const { api, overview, wait } = makeApi();
    await wait((await api.os.check({ allowMetered: true })).jobId);
    await wait((await api.os.apply({ allowMetered: true })).jobId);
    const o = await overview();
    expect(o.badge).toMatchObject({ updates: 0, rebootRequired: true });
    expect(o.stateFrom).toBe('apply');
    expect(o.state?.stale).toBe(true);
    const r = (await api.os.refresh()) as OsOverview;
    expect(r.stateFrom).toBe('status');
    expect(r.state?.stale).toBeUndefined();
  });

  it('repair: apt clears the interrupted apply; the overview counts it until then', async () => {
    const { api, root, overview, wait } = makeApi();
    writeFakeSystem(root, { ...readFakeSystem(root), interrupted: true });
    await api.os.refresh();
    expect((await overview()).badge.interrupted).toBe(true);
    expect((await wait((await api.os.repair()).jobId)).state).toBe('done');
    expect((await overview()).badge.interrupted).toBe(false);
    expect((await overview()).stateFrom).toBe('repair');
  });
});
