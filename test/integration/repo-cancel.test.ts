import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/main/core/jobs/run-job';
import { toolkitCloneDir } from '../../src/main/core/layers/data-layout';
import { cloneInto, g, makeToolkitRemote } from '../helpers/git-fixture';

// Cancelling a fetch that hangs: the remote side is a stand-in upload-pack (a script that records its pid, then
// never answers, like a stalled network peer), set in the clone's own config. Cancel must end the job with
// CANCELLED and leave no git process behind — including the transport git started.

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kintsugi-repo-cancel-'));
});
let standInPid: number | undefined;
afterAll(async () => {
  // When the test fails, the stand-in may still run: end it (it is ours, by the pid it recorded).
  if (standInPid !== undefined && (await running(standInPid))) process.kill(standInPid, 'SIGKILL');
  await rm(root, { recursive: true, force: true });
});

/** Whether PID runs (a zombie waiting to be reaped has stopped running: it counts as gone). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && !/^\d+ \(.*\) Z /.test(stat);
}

/** Resolves once PID has stopped; a process that never stops fails by the test's own timeout. */
async function stopped(pid: number): Promise<void> {
  while (await running(pid)) await new Promise((r) => setTimeout(r, 20));
}

/** Resolves once PATH exists (the stand-in says it has started); the test's own timeout bounds it. */
async function appeared(path: string): Promise<void> {
  while (!(await stat(path).catch(() => null))) await new Promise((r) => setTimeout(r, 20));
}

describe('cancel', () => {
  // A bounded wait: without the group kill the job never ends, and this fails instead of hanging the suite.
  it('a check cancelled mid-fetch ends CANCELLED and kills the whole git process group', async () => {
    const remote = await makeToolkitRemote(root);
    await remote.commit('docs', { 'a.md': 'a\n' });
    const data = join(root, 'data');
    const clone = toolkitCloneDir(data);
    await cloneInto(remote.bare, clone);
    const pidFile = join(root, 'upload-pack.pid');
    const stall = join(root, 'stalled-upload-pack');
    await writeFile(
      stall,
      `#!/bin/sh\necho $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}\nexec sleep 600\n`,
    );
    await chmod(stall, 0o755);
    await g(clone, ['config', 'remote.origin.uploadpack', stall]);

    const abort = new AbortController();
    const job = runJob(
      { type: 'repo-check', params: { dataRoot: data, meteredSetting: 'no' } },
      { signal: abort.signal, progress: () => {}, log: () => {} },
    ).catch((e: unknown) => e);
    await appeared(pidFile);
    const pid = Number(await readFile(pidFile, 'utf8'));
    standInPid = pid;
    expect(await running(pid)).toBe(true);
    abort.abort();
    expect(await job).toMatchObject({ code: 'CANCELLED' });
    await stopped(pid);
  }, 20_000);
});
