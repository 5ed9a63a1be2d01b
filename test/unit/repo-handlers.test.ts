import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerDeps } from '../../src/main/api/deps';
import { createHandlers, invokeHandler } from '../../src/main/api/handlers';
import { createServices } from '../../src/main/core/services';
import { fakeJobs } from '../helpers/fake-jobs';

// The repo page's calls: payloads checked at the boundary, and every job's params built by main from its own
// settings (data root, bin folder, remote, metered), never from the page. The executor is the stand-in
// fakeJobs (it records requests); the jobs themselves run on real git in test/integration/repo-*.test.ts.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-repo-handlers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function makeApi() {
  const jobs = fakeJobs();
  const services = createServices({
    stateDir: join(dir, String(Math.random()).slice(2)),
    hosts: { helper: () => jobs, utility: () => jobs },
  });
  await services.settings.save({
    dataRoot: '/srv/kdata',
    binDir: '/opt/bin',
    metered: 'yes',
    repoRemote: 'https://example.invalid/kit.git',
  });
  return { api: createHandlers(handlerDeps(services, async () => null)), jobs, services };
}

describe('repo handlers', () => {
  it('refuse a tag, a ref or a branch that could be an option or a path trick, before any job starts', async () => {
    const { api, jobs } = await makeApi();
    const cases: [string, unknown[], RegExp][] = [
      ['repo.pin', [{ tag: '--upload-pack=touch /tmp/x' }], /^Release tag: /],
      ['repo.pin', [{ tag: 'v1/../../x' }], /^Release tag: /],
      ['repo.rollback', [{ ref: 'HEAD~3' }], /^Earlier HEAD: must be HEAD@\{n\} or a commit hash/],
      ['repo.pull', [{ moveLocalTo: '-b' }], /^Branch for your local commits: /],
      ['repo.link', [{ copy: true, binDir: '/tmp' }], /binDir|Unrecognized/i],
      ['repo.clone', [{ remote: 'https://evil.invalid/x.git' }], /remote|Unrecognized/i],
    ];
    for (const [name, args, detail] of cases) {
      const res = await invokeHandler(api, name, args);
      expect(res, name).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', detail } });
    }
    expect(jobs.requests).toEqual([]);
  });

  it('builds each job from the saved settings: the page sends only its intent', async () => {
    const { api, jobs, services } = await makeApi();
    // One after another, so the recorded order is the order of the calls.
    const intents = [
      () => api.repo.pull({ stash: true }),
      () => api.repo.link({ copy: true }),
      () => api.repo.clone({ allowMetered: true }),
      () => api.repo.rollback({ ref: 'HEAD@{2}', typed: 'DISCARD' }),
    ];
    for (const start of intents) await services.runner.wait((await start()).jobId);
    expect(jobs.requests).toEqual([
      {
        type: 'repo-pull',
        params: {
          dataRoot: '/srv/kdata',
          allowMetered: false,
          meteredSetting: 'yes',
          stash: true,
          binDir: '/opt/bin',
        },
      },
      { type: 'repo-link', params: { dataRoot: '/srv/kdata', binDir: '/opt/bin', copy: true } },
      {
        type: 'repo-clone',
        params: {
          dataRoot: '/srv/kdata',
          allowMetered: true,
          meteredSetting: 'yes',
          remote: 'https://example.invalid/kit.git',
        },
      },
      { type: 'repo-rollback', params: { dataRoot: '/srv/kdata', ref: 'HEAD@{2}', typed: 'DISCARD' } },
    ]);
  });

  it('status reads the clone and bin folder from the settings (offline; no clone there: says so)', async () => {
    const { api } = await makeApi();
    expect(await api.repo.status()).toMatchObject({
      cloned: false,
      cloneDir: '/srv/kdata/repo/kintsugi-usb',
      binDir: '/opt/bin',
    });
  });

  it('a saved remote that is not a URL or an absolute path is refused when saved', async () => {
    const { services } = await makeApi();
    await expect(services.settings.save({ repoRemote: '--upload-pack=x' })).rejects.toThrow();
  });
});
