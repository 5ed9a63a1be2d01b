import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { JobEvent, JobRequest } from '../../src/shared/jobs';
import { JobRunner } from '../../src/main/core/jobs/job-runner';
import type { JobExecutor } from '../../src/main/core/jobs/executor';
import { hostRoutingExecutor } from '../../src/main/core/jobs/executor';
import { JOB_TYPES, hostOf } from '../../src/shared/registry';
import { HELPER_JOBS } from '../../src/main/helper/jobs';
import { parseJobRequest } from '../../src/main/core/jobs/request';
import type { JobContext } from '../../src/main/core/jobs/context';
import type { Progress } from '../../src/shared/progress';

const findReq: JobRequest = { type: 'restore', params: { backupDir: '/tmp/b', target: '/tmp/t' } };

function collect(runner: JobRunner): JobEvent[] {
  const events: JobEvent[] = [];
  runner.onEvent((e) => events.push(e));
  return events;
}

/**
 * Runs one job that reports progress on a runner allowing 10 progress events a second, with a fake clock that
 * `tick` moves. Returns every event and, of those, the progress that got through.
 */
async function runReporting(
  report: (ctx: JobContext, tick: (ms: number) => void, events: JobEvent[]) => void,
): Promise<{ runner: JobRunner; id: string; events: JobEvent[]; progress: Progress[] }> {
  let t = 0;
  const runner = new JobRunner({ now: () => t, progressPerSecond: 10 });
  const events = collect(runner);
  const id = runner.start(findReq, {
    run: async (_req, ctx) => {
      report(ctx, (ms) => (t += ms), events);
      return 'ok';
    },
  });
  await runner.wait(id);
  return { runner, id, events, progress: events.flatMap((e) => (e.type === 'progress' ? [e.progress] : [])) };
}

const flashAt = (phase: 'write' | 'verify', bytes: number): Progress => ({
  kind: 'flash',
  phase,
  bytes,
  total: 100,
  speed: 1,
});

describe('JobRunner', () => {
  it('runs a job, fills defaults from the schema and reports done with the result', async () => {
    const runner = new JobRunner();
    const events = collect(runner);
    let seen: JobRequest | undefined;
    const exec: JobExecutor = { run: async (req) => ((seen = req), { ok: 1 }) };
    const id = runner.start(findReq, exec);
    expect(runner.status(id)).toMatchObject({ state: 'running', type: 'restore', title: 'Restore a backup' });
    const final = await runner.wait(id);
    expect(final).toMatchObject({ id, type: 'restore', host: 'helper', state: 'done', result: { ok: 1 } });
    expect(seen).toEqual({
      type: 'restore',
      params: { backupDir: '/tmp/b', target: '/tmp/t', includeLoop: false },
    });
    expect(events.at(-1)).toEqual({ jobId: id, jobType: 'restore', type: 'done', result: { ok: 1 } });
  });

  it('rejects a bad request synchronously with INVALID_ARGUMENT naming the field', () => {
    const runner = new JobRunner();
    const exec: JobExecutor = { run: async () => 1 };
    const bad = { type: 'flash', params: { image: 'relative.img', device: '/dev/loop0' } } as JobRequest;
    expect(() => runner.start(bad, exec)).toThrowError(KintsugiError);
    try {
      runner.start(bad, exec);
    } catch (e) {
      expect((e as KintsugiError).code).toBe('INVALID_ARGUMENT');
      expect((e as KintsugiError).detail).toContain('params.image');
    }
    let caught: unknown;
    try {
      parseJobRequest({ type: 'format-disk', params: {} });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT', detail: expect.stringContaining('type') });
  });

  it('throttles progress to the configured rate and always delivers the last one before done', async () => {
    const { runner, id, events, progress } = await runReporting((ctx, tick) => {
      for (let i = 1; i <= 100; i++) {
        tick(10); // 100 updates over 1 s of fake time
        ctx.progress(flashAt('write', i));
      }
    });
    expect(progress.length).toBeLessThanOrEqual(11);
    expect(progress.length).toBeGreaterThanOrEqual(9);
    expect(progress.at(-1)).toMatchObject({ bytes: 100 });
    expect(events.at(-1)!.type).toBe('done');
    expect(runner.status(id)).toMatchObject({ state: 'done' });
  });

  it("delivers each phase's first and last progress, however fast one follows the other", async () => {
    // Producers do not throttle: the runner alone decides what reaches subscribers, and a phase must neither
    // wait behind the rate limit nor swallow the end of the previous one.
    let seenBeforeEnd = 0;
    const { progress } = await runReporting((ctx, tick, events) => {
      for (let i = 1; i <= 10; i++) {
        tick(1);
        ctx.progress(flashAt('write', i));
      }
      tick(1);
      ctx.progress(flashAt('verify', 0));
      seenBeforeEnd = events.filter((e) => e.type === 'progress').length;
    });
    expect(progress.map((p) => [p.phase, p.bytes])).toEqual([
      ['write', 1],
      ['write', 10],
      ['verify', 0],
    ]);
    expect(seenBeforeEnd).toBe(3); // the new phase went out at once, not with the job's final flush
  });

  it('cancel aborts the signal and the job ends failed with CANCELLED whatever it threw', async () => {
    const runner = new JobRunner();
    const events = collect(runner);
    const exec: JobExecutor = {
      run: (_req, ctx) =>
        new Promise((_res, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('EINTR')))),
    };
    const id = runner.start(findReq, exec);
    await new Promise((r) => setTimeout(r, 5));
    expect(runner.cancel(id)).toBe(true);
    const final = await runner.wait(id);
    expect(final.state).toBe('failed');
    expect(final.state === 'failed' && final.error?.code).toBe('CANCELLED');
    expect(runner.cancel(id)).toBe(false);
    expect(runner.cancel('nope')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'failed', error: { code: 'CANCELLED' } });
  });

  it('a job cancelled before it starts never runs, and fails CANCELLED', async () => {
    // The journal write before a job starts takes a while; a cancel in that window must not be lost on a job
    // that would only then subscribe to its signal's 'abort' (which never fires again).
    let ran = false;
    const runner = new JobRunner();
    const id = runner.start(findReq, {
      run: async () => {
        ran = true;
        return 'ok';
      },
    });
    expect(runner.cancel(id)).toBe(true);
    expect(await runner.wait(id)).toMatchObject({ state: 'failed', error: { code: 'CANCELLED' } });
    expect(ran).toBe(false);
  });

  it('keeps error codes from the executor, turns plain errors into INTERNAL and survives a throwing listener', async () => {
    const runner = new JobRunner();
    runner.onEvent(() => {
      throw new Error('listener broke');
    });
    const a = runner.start(findReq, {
      run: async () => Promise.reject(new KintsugiError('DRIVE_IS_SYSTEM', '/dev/vda')),
    });
    const b = runner.start(findReq, { run: async () => Promise.reject(new Error('boom')) });
    expect(await runner.wait(a)).toMatchObject({
      state: 'failed',
      error: { code: 'DRIVE_IS_SYSTEM', detail: '/dev/vda' },
    });
    expect(await runner.wait(b)).toMatchObject({
      state: 'failed',
      error: { code: 'INTERNAL', detail: 'boom' },
    });
    expect(runner.status('unknown')).toBeNull();
  });

  it('cancelAll stops every running job', async () => {
    const runner = new JobRunner();
    const hang: JobExecutor = {
      run: (_r, ctx) =>
        new Promise((_res, rej) => ctx.signal.addEventListener('abort', () => rej(ctx.signal.reason))),
    };
    const ids = [runner.start(findReq, hang), runner.start(findReq, hang)];
    await new Promise((r) => setTimeout(r, 5));
    expect(runner.running()).toHaveLength(2);
    await runner.cancelAll();
    expect(runner.running()).toHaveLength(0);
    for (const id of ids)
      expect(runner.status(id)).toMatchObject({ state: 'failed', error: { code: 'CANCELLED' } });
  });

  it('sends each job to the host its declaration names: root verbs to the helper, image checks never', async () => {
    const calls: string[] = [];
    const host = (name: string): JobExecutor => ({ run: async (r) => calls.push(`${name}:${r.type}`) });
    const exec = hostRoutingExecutor({
      main: host('main'),
      utility: host('utility'),
      helper: host('helper'),
    });
    const runner = new JobRunner();
    await runner.wait(runner.start(findReq, exec));
    await runner.wait(runner.start({ type: 'image-check', params: { source: '/tmp/a.img.zst' } }, exec));
    await runner.wait(
      runner.start({ type: 'flash', params: { image: '/tmp/a.img', device: '/dev/loop1' } }, exec),
    );
    await runner.wait(
      runner.start({ type: 'backup', params: { source: '/dev/loop1', destRoot: '/tmp/b' } }, exec),
    );
    expect(calls).toEqual(['helper:restore', 'utility:image-check', 'helper:flash', 'helper:backup']);
    // The specification, stated once here: every verb that writes or mounts a drive needs root, and so do a
    // framework's system package (apt / .deb), linking the toolkit's scripts into a root-owned bin folder and
    // writing the system's timers, every OS update job (apt, ostree and rpm-ostree all change the system), and a
    // kernel's install and rollback (dpkg/pacman and the boot files). backup-check reads a backup the helper made
    // (root's files) and records its outcome beside the manifest.
    expect([...HELPER_JOBS].sort()).toEqual([
      'backup',
      'backup-check',
      'flash',
      'framework-install-system',
      'framework-uninstall-system',
      'kernel.install',
      'kernel.rollback',
      'os-apply',
      'os-check',
      'os-pin',
      'os-repair',
      'os-rollback',
      'repo-link',
      'restore',
      'schedule-install',
      'schedule-remove',
      'verify-drive',
    ]);
    for (const t of JOB_TYPES) expect(HELPER_JOBS.has(t as never)).toBe(hostOf(t) === 'helper');
  });
});
