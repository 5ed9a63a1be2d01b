import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, invokeHandler } from '../../src/main/api/handlers';
import type { HandlerDeps } from '../../src/main/api/deps';
import { API_METHODS } from '../../src/shared/contract';
import type { JobEvent, JobRequest } from '../../src/shared/jobs';
import { WizardStore } from '../../src/main/core/wizard/store';
import { SettingsStore } from '../../src/main/settings/store';
import { JobRunner } from '../../src/main/core/jobs/job-runner';
import type { JobExecutor } from '../../src/main/core/jobs/executor';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-handlers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeApi(overrides: Partial<HandlerDeps<JobExecutor>> = {}) {
  const runner = new JobRunner();
  const calls: { drives: unknown[]; started: JobRequest[] } = { drives: [], started: [] };
  const executor: JobExecutor = {
    async run(req, ctx) {
      calls.started.push(req);
      ctx.progress({ kind: 'step', step: 'image', message: 'working' });
      if (req.type === 'backup') throw Object.assign(new Error('x'), {});
      return { echoed: req.type };
    },
  };
  const sub = join(dir, String(Math.random()).slice(2));
  const deps: HandlerDeps<JobExecutor> = {
    jobRunner: runner,
    executorFor: () => executor,
    settings: new SettingsStore(sub),
    wizard: new WizardStore(sub),
    listDrives: async (opts) => {
      calls.drives.push(opts);
      return [];
    },
    listBackups: async () => [],
    pickPath: async (purpose) => `/picked/${purpose}`,
    ...overrides,
  };
  return { api: createHandlers(deps), runner, calls };
}

describe('createHandlers', () => {
  it('implements every contract method', () => {
    const { api } = makeApi();
    expect(Object.keys(api).sort()).toEqual([...API_METHODS].sort());
  });

  it('rejects a bad payload with INVALID_ARGUMENT naming the field, before acting', async () => {
    const { api, calls } = makeApi();
    const res = await invokeHandler(api, 'startJob', [
      { type: 'flash', params: { image: 'relative.img', device: '/dev/x' } },
    ]);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('INVALID_ARGUMENT');
      expect(res.error.detail).toMatch(/image/);
    }
    expect(calls.started).toHaveLength(0);
    const extra = await invokeHandler(api, 'listDrives', [{ includeLoop: true, evil: 1 }]);
    expect(extra.ok).toBe(false);
    const tooMany = await invokeHandler(api, 'getSettings', [1]);
    expect(tooMany.ok).toBe(false);
    const unknown = await invokeHandler(api, 'constructor', []);
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.detail).toMatch(/unknown method/);
  });

  it('saves and loads settings; listDrives falls back to the saved loop opt-in', async () => {
    const { api, calls } = makeApi();
    expect((await api.getSettings()).dataRoot).toBe('/data');
    await api.saveSettings({ includeLoop: true, backupDir: '/tmp/b' });
    expect(await api.getSettings()).toMatchObject({ includeLoop: true, backupDir: '/tmp/b' });
    await api.listDrives({});
    await api.listDrives({ includeLoop: false, imageSize: 5 });
    expect(calls.drives).toEqual([
      { includeLoop: true, imageSize: undefined, imagePath: undefined },
      { includeLoop: false, imageSize: 5, imagePath: undefined },
    ]);
    const bad = await invokeHandler(api, 'saveSettings', [{ backupDir: 'relative' }]);
    expect(bad.ok).toBe(false);
  });

  it('starts a job through the runner and reports status, events and errors with their codes', async () => {
    const { api, runner } = makeApi();
    const events: JobEvent[] = [];
    runner.onEvent((e) => events.push(e));
    const { jobId } = await api.startJob({ type: 'image-check', params: { source: '/tmp/x.img.zst' } });
    await runner.wait(jobId);
    expect(await api.getJob({ jobId })).toMatchObject({ state: 'done', result: { echoed: 'image-check' } });
    expect(events.map((e) => e.type)).toEqual(['progress', 'done']);
    expect(await api.getJob({ jobId: 'nope' })).toBeNull();
    expect(await api.cancelJob({ jobId })).toEqual({ cancelled: false });
  });

  it('keeps the wizard state on disk and pickPath goes to the injected chooser', async () => {
    const { api } = makeApi();
    expect((await api.getWizardState()).step).toBe('image');
    await api.saveWizardState({ step: 'drive', imageSource: '/tmp/a.img.zst', durations: { image: 1200 } });
    expect(await api.getWizardState()).toMatchObject({ step: 'drive', imageSource: '/tmp/a.img.zst' });
    const bad = await invokeHandler(api, 'saveWizardState', [{ step: 'teleport', durations: {} }]);
    expect(bad.ok).toBe(false);
    expect((await api.resetWizard()).step).toBe('image');
    expect(await api.pickPath({ purpose: 'image' })).toBe('/picked/image');
    const badPick = await invokeHandler(api, 'pickPath', [{ purpose: 'anything' }]);
    expect(badPick.ok).toBe(false);
  });
});

describe('getFreeSpace', () => {
  it('reports the filesystem of the nearest existing parent', async () => {
    const { api } = makeApi();
    const r = await api.getFreeSpace({ path: join(dir, 'not', 'yet', 'there') });
    expect(r.path).toBe(dir);
    expect(r.free).toBeGreaterThan(0);
    expect(r.total).toBeGreaterThanOrEqual(r.free);
  });
});
