import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/main/core/jobs/job-runner';
import { OsStateStore } from '../../src/main/core/os/state-store';
import { feedTray } from '../../src/main/tray-feed';
import type { TrayNotice, TrayState } from '../../src/main/tray-state';
import { osStateWith, osUpdate } from '../helpers/os-state';
import type { JobRequest, KintsugiApi } from '../../src/shared/registry';

// The tray's feed: the OS record and the layers re-read on refresh, the notices shown once (their keys saved in
// os.json first, so a restart does not repeat them), a job event redrawn from the cache.

const dir = mkdtempSync(join(tmpdir(), 'kintsugi-tray-feed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const up = osUpdate;
const state = osStateWith;

// The layer reads the feed makes: one model missing, the rest failing (each failure counts nothing).
const api = {
  models: { missing: async () => ({ slugs: ['qwen3:4b'], totalBytes: 0, unknownSizes: [] }) },
  frameworks: { catalog: async () => Promise.reject(new Error('no catalog')) },
  repo: { status: async () => Promise.reject(new Error('no clone')) },
  reflash: { getState: async () => ({}) },
} as unknown as KintsugiApi;

function setup(now = new Date('2026-11-25T12:00:00Z')) {
  const store = new OsStateStore(join(dir, `s-${++n}`));
  const shown: TrayState[] = [];
  const notices: TrayNotice[] = [];
  const feed = feedTray({
    sink: { show: (s) => shown.push(s), notify: (x) => notices.push(x) },
    runner: new JobRunner(),
    store,
    api,
    now: () => now,
  });
  return { store, shown, notices, feed };
}

describe('tray feed', () => {
  it('counts the OS updates and the layers, and announces the set once, even after a restart', async () => {
    const { store, shown, notices, feed } = setup();
    await store.recordCheck(
      { at: '2026-11-25T11:00:00Z', ok: true, by: 'background' },
      state([up('openssl', '3.0.15', true), up('tzdata', '2026b')]),
    );
    await feed.refresh();
    expect(shown.at(-1)).toMatchObject({
      badge: 3,
      tooltip: 'Kintsugi Updater: 2 updates (1 security); 1 recommended model to pull',
    });
    expect(notices.map((x) => x.title)).toEqual(['2 OS updates available']);
    expect((await store.load()).notifiedKey).toBe(notices[0]!.key);
    await feed.refresh();
    expect(notices).toHaveLength(1);
    feed.stop();
    // A new process (the app restarted) reads the saved key: still nothing new to say.
    const again = feedTray({
      sink: { show: () => {}, notify: (x) => notices.push(x) },
      runner: new JobRunner(),
      store,
      api,
      now: () => new Date('2026-11-25T12:00:00Z'),
    });
    await again.refresh();
    expect(notices).toHaveLength(1);
    // A new set is announced.
    await store.recordCheck(
      { at: '2026-11-25T13:00:00Z', ok: true, by: 'background' },
      state([up('openssl', '3.0.16', true)]),
    );
    await again.refresh();
    expect(notices.map((x) => x.title)).toEqual(['2 OS updates available', '1 OS update available']);
    again.stop();
  });

  it("re-reads, at a job's end, only the layers its domain touches", async () => {
    const reads: string[] = [];
    const counting = {
      models: { missing: async () => (reads.push('models'), { slugs: [], totalBytes: 0, unknownSizes: [] }) },
      frameworks: { catalog: async () => (reads.push('frameworks'), { entries: [], problems: [] }) },
      repo: { status: async () => (reads.push('repo'), { cloned: true, behind: 2 }) },
      reflash: { getState: async () => (reads.push('reflash'), {}) },
      kernel: { overdue: async () => (reads.push('kernel'), []) },
    } as unknown as KintsugiApi;
    const runner = new JobRunner();
    const shown: TrayState[] = [];
    const feed = feedTray({
      sink: { show: (s) => shown.push(s), notify: () => {} },
      runner,
      store: new OsStateStore(join(dir, `s-${++n}`)),
      api: counting,
    });
    await feed.refresh();
    expect(reads.sort()).toEqual(['frameworks', 'kernel', 'models', 'reflash', 'repo']);
    const finish = async (req: JobRequest) => {
      reads.length = 0;
      await runner.wait(runner.start(req, { run: async () => ({}) as never }));
      await feed.refresh([]); // queued behind the job's own re-read: settles once that one has run
    };
    await finish({ type: 'models-verify', params: { dataRoot: dir, slugs: [] } });
    expect(reads).toEqual(['models']);
    // What was not re-read stays counted: the repo's two commits behind from the first read.
    expect(shown.at(-1)!.tooltip).toContain('docs & scripts 2 commits behind');
    await finish({ type: 'repo-check', params: { dataRoot: dir } });
    expect(reads).toEqual(['repo']);
    await finish({ type: 'os-check', params: {} });
    expect(reads).toEqual([]);
    feed.stop();
  });

  it('warns once when no check has succeeded for a week', async () => {
    const { store, notices, shown, feed } = setup(new Date('2026-11-25T12:00:00Z'));
    await store.recordCheck({ at: '2026-11-10T00:00:00Z', ok: true, by: 'background' }, state([]));
    await store.recordCheck({ at: '2026-11-25T11:00:00Z', ok: false, by: 'background' });
    await feed.refresh();
    await feed.refresh();
    expect(notices.map((x) => x.title)).toEqual(['OS updates not checked for a week']);
    expect(shown.at(-1)!.tooltip).toContain('no OS check has succeeded for 7 days');
    feed.stop();
  });
});
