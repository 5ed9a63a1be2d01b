import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerDeps } from '../../src/main/api/deps';
import { createHandlers, invokeHandler } from '../../src/main/api/handlers';
import { createServices } from '../../src/main/core/services';
import { headlineOf } from '../../src/shared/errors';
import { API_ENTRIES, DOMAINS, type JobEvent } from '../../src/shared/registry';
import { fakeJobs } from '../helpers/fake-jobs';

// The one handler object as the renderer (or anything on the IPC/HTTP surface) reaches it: every payload is
// checked against its domain's declared schema before anything acts, and the renderer can only send intents.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-handlers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeApi() {
  const jobs = fakeJobs();
  const services = createServices({
    stateDir: join(dir, String(Math.random()).slice(2)),
    hosts: { helper: () => jobs, utility: () => jobs },
  });
  const api = createHandlers(handlerDeps(services, async (purpose) => `/picked/${purpose}`));
  return { api, services, jobs };
}

describe('handlers', () => {
  it('implement every declared method of every domain, and nothing else', () => {
    const { api } = makeApi();
    const implemented = Object.entries(api).flatMap(([d, group]) =>
      Object.keys(group).map((m) => `${d}.${m}`),
    );
    expect(implemented.sort()).toEqual(API_ENTRIES.map(([d, m]) => `${d}.${m}`).sort());
    expect(Object.keys(api).sort()).toEqual(Object.keys(DOMAINS).sort());
  });

  it('offers no way to start an arbitrary job or to write the flow state', () => {
    const names = API_ENTRIES.map(([d, m]) => `${d}.${m}`);
    expect(names.filter((n) => /startJob|saveWizard|saveState|runJob/i.test(n))).toEqual([]);
  });

  it('rejects bad payloads with INVALID_ARGUMENT naming the field, before acting', async () => {
    const { api, jobs } = makeApi();
    const cases: [string, unknown][] = [
      ['reflash.chooseImage', [{ source: 'relative.img' }]],
      ['reflash.chooseImage', [{ source: '/a.img', evil: 1 }]],
      ['reflash.startFlash', [{ typed: 42 }]],
      ['reflash.startFlash', []],
      ['reflash.chooseDrive', [{ device: 'sdb' }]],
      ['reflash.startBackup', [{ backupDir: '/tmp/\0x' }]],
      ['reflash.goTo', [{ step: 'teleport' }]],
      ['app.saveSettings', [{ backupDir: 'relative' }]],
      ['app.getSettings', [1]],
      ['app.pickPath', [{ purpose: 'anything' }]],
      ['jobs.get', [{ jobId: '../../etc/passwd' }]],
      ['jobs.cancel', [{}]],
      ['drives.list', [{ includeLoop: true, evil: 1 }]],
    ];
    for (const [name, args] of cases) {
      const res = await invokeHandler(api, name, args);
      expect(res, name).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    for (const name of ['constructor', 'reflash.constructor', 'jobs.__proto__', 'startJob', 'flash.flash']) {
      const res = await invokeHandler(api, name, []);
      expect(res, name).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', detail: /unknown method/ },
      });
    }
    expect(await invokeHandler(api, 'app.getSettings', 'not-an-array')).toMatchObject({ ok: false });
    expect(jobs.requests).toEqual([]);
  });

  it('names a refused value the way the page does, and what it must be; the call and key go to the log', async () => {
    const { api } = makeApi();
    const res = await invokeHandler(api, 'reflash.chooseImage', [
      { source: 'kintsugi.img.zst', sha256File: '/a' },
    ]);
    expect(res).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        detail: 'Image file: must be an absolute path or an http(s) URL',
        causes: ['reflash.chooseImage: 0.source'],
      },
    });
    if (!res.ok) expect(headlineOf(res.error)).toBe('Image file: must be an absolute path or an http(s) URL');
    expect(
      headlineOf({
        code: 'IMAGE_CORRUPT',
        message: 'The compressed image is truncated or corrupt.',
        detail: 'x',
      }),
    ).toBe('The compressed image is truncated or corrupt.');
  });

  it('refuses a flash or restore before its gate, and a job id of a job it does not know', async () => {
    const { api, jobs } = makeApi();
    expect(await invokeHandler(api, 'reflash.startFlash', [{ typed: 'loop0' }])).toMatchObject({
      ok: false,
      error: { code: 'FLOW_GATE', detail: expect.stringMatching(/Check an image first/) },
    });
    expect(await invokeHandler(api, 'reflash.startRestore', [])).toMatchObject({
      ok: false,
      error: { code: 'FLOW_GATE' },
    });
    expect(await invokeHandler(api, 'reflash.skipBackup', [{ typed: 'loop0' }])).toMatchObject({ ok: false });
    expect(await api.jobs.get({ jobId: 'nope' })).toBeNull();
    expect(await invokeHandler(api, 'jobs.cancel', [{ jobId: 'nope' }])).toMatchObject({
      ok: false,
      error: { code: 'JOB_NOT_FOUND' },
    });
    expect(jobs.requests).toEqual([]);
  });

  it('an image chosen by intent runs as a job; its events carry the job type and the record is listed', async () => {
    const { api, services } = makeApi();
    const events: JobEvent[] = [];
    services.runner.onEvent((e) => events.push(e));
    const { jobId, state } = await api.reflash.chooseImage({ source: '/images/k.img.zst' });
    expect(state.activeJob?.jobId).toBe(jobId);
    await services.flow.settled(jobId);
    expect((await api.reflash.getState()).image?.path).toBe('/images/k.img.zst');
    expect(events.at(-1)).toMatchObject({ jobId, jobType: 'image-check', type: 'done' });
    expect((await api.jobs.list()).map((r) => r.id)).toContain(jobId);
    expect((await api.jobs.log({ jobId })).text).toMatch(/Started Check an image/);
  });

  it('keeps settings and the page on disk; pickPath goes to the injected chooser', async () => {
    const { api } = makeApi();
    expect((await api.app.getSettings()).dataRoot).toBe('/data');
    await api.app.saveSettings({ includeLoop: true, backupDir: '/tmp/b' });
    expect(await api.app.getSettings()).toMatchObject({ includeLoop: true, backupDir: '/tmp/b' });
    expect(await api.app.getUiState()).toEqual({ route: 'home' });
    await api.app.saveUiState({ route: 'jobs' });
    expect(await api.app.getUiState()).toEqual({ route: 'jobs' });
    expect(await api.app.pickPath({ purpose: 'image' })).toBe('/picked/image');
  });

  it('getFreeSpace reports the filesystem of the nearest existing parent', async () => {
    const { api } = makeApi();
    const r = await api.app.getFreeSpace({ path: join(dir, 'not', 'yet', 'there') });
    expect(r.path).toBe(dir);
    expect(r.free).toBeGreaterThan(0);
    expect(r.total).toBeGreaterThanOrEqual(r.free);
  });
});
