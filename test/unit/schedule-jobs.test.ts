import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerDeps } from '../../src/main/api/deps';
import { createHandlers } from '../../src/main/api/handlers';
import { createServices } from '../../src/main/core/services';
import { authorizeHelperJob } from '../../src/main/helper/authorize';
import { fakeJobs } from '../helpers/fake-jobs';

// The schedule's privileged side: the page can only say "install" or "remove"; main adds its data root; the
// helper accepts nothing but an existing data root, by its real path. (Writing the real /etc/systemd/system is
// not something a test may do: the files themselves are tested in test/integration/schedule.test.ts.)

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-schedule-jobs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Stand-in: no drive is involved in these jobs, so the drive check must never be called.
const ctx = {
  uid: 1000,
  checkDrive: async () => {
    throw new Error('the drive check was called for a schedule job');
  },
};

describe('schedule jobs', () => {
  it('install and remove start helper jobs carrying only the data root from the settings', async () => {
    const jobs = fakeJobs();
    const services = createServices({
      stateDir: join(dir, 'state'),
      hosts: { helper: () => jobs, utility: () => jobs },
    });
    await services.settings.save({ dataRoot: '/srv/kdata' });
    const api = createHandlers(handlerDeps(services, async () => null));
    await services.runner.wait((await api.schedule.install()).jobId);
    await services.runner.wait((await api.schedule.remove()).jobId);
    expect(jobs.requests).toEqual([
      { type: 'schedule-install', params: { dataRoot: '/srv/kdata' } },
      { type: 'schedule-remove', params: { dataRoot: '/srv/kdata' } },
    ]);
  });

  it('the helper takes an existing data root by its real path, and refuses a missing one', async () => {
    const link = join(dir, 'data-link');
    await symlink(dir, link);
    expect(await authorizeHelperJob({ type: 'schedule-install', params: { dataRoot: link } }, ctx)).toEqual({
      type: 'schedule-install',
      params: { dataRoot: dir },
    });
    await expect(
      authorizeHelperJob({ type: 'schedule-remove', params: { dataRoot: join(dir, 'missing') } }, ctx),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', detail: expect.stringMatching(/does not exist/) });
  });
});
