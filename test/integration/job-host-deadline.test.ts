import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRequest } from '../../src/shared/registry';
import type { Progress } from '../../src/shared/progress';
import { deviceHostExecutor, startDeviceHost } from '../../src/main/cli/device-host-client';
import type { JobContext } from '../../src/main/core/jobs/context';
import { createServices } from '../../src/main/core/services';

// The client's deadlines (job-host/client.ts) against a real child process. The child is a STAND-IN for a host
// whose I/O thread is stuck in the kernel (test/integration/stalled-device.test.ts makes the real thing with a
// frozen filesystem): it speaks the protocol, heartbeats, ignores SIGTERM, SIGINT and its input closing, and
// never answers a cancel. Only SIGKILL ends it, as only the client's deadline gets rid of a stuck host.

const STUCK_HOST = `
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
out({ type: 'ready', version: 'stand-in', pid: process.pid });
setInterval(() => out({ type: 'heartbeat', t: Date.now() }), 200);
let buf = '';
let stuck = false;
process.stdin.on('data', (c) => {
  buf += c;
  for (let i; (i = buf.indexOf('\\n')) >= 0; buf = buf.slice(i + 1)) {
    const req = JSON.parse(buf.slice(0, i));
    // cancel and shutdown: ignored, as by a process stuck on a drive (a healthy one leaves on shutdown)
    if (req.op === 'shutdown' && !stuck) process.exit(0);
    if (req.op !== 'start') continue;
    stuck = req.job.type !== 'verify-drive';
    const ev = (body) => out({ jobId: req.id, jobType: req.job.type, ...body });
    if (req.job.type === 'verify-drive') ev({ type: 'done', result: { ok: true } });
    if (req.job.type === 'flash')
      ev({ type: 'progress', progress: { kind: 'flash', phase: 'write', bytes: 8 * 1048576, total: 64 * 1048576 } });
    if (req.job.type === 'backup')
      ev({ type: 'failed', error: { code: 'DRIVE_GONE', message: 'gone', detail: 'stand-in: the drive vanished', hint: '' } });
  }
});
process.stdin.on('end', () => {}); // parent gone: a stuck host cannot act on it
`;

let dir: string;
let hostPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-deadline-'));
  hostPath = join(dir, 'stuck-host.mjs');
  await writeFile(hostPath, STUCK_HOST);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A device name no machine has: the stand-in host never opens it, and no real disk is ever named.
const NO_DEVICE = '/dev/kintsugi-test-no-such-disk';

const flash: JobRequest = {
  type: 'flash',
  params: { image: '/img/k.img', device: NO_DEVICE, includeLoop: false, verify: true },
};
const verify: JobRequest = {
  type: 'verify-drive',
  params: { image: '/img/k.img', device: NO_DEVICE, includeLoop: false },
};
const backup: JobRequest = {
  type: 'backup',
  params: { source: NO_DEVICE, destRoot: '/backups', includeLoop: false },
};

function context(): { ctx: JobContext; abort(): void; progress: Progress[]; logs: string[] } {
  const ac = new AbortController();
  const progress: Progress[] = [];
  const logs: string[] = [];
  return {
    ctx: { signal: ac.signal, progress: (p) => progress.push(p), log: (m) => logs.push(m) },
    abort: () => ac.abort(),
    progress,
    logs,
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

describe('job host client deadlines, against a host that ignores cancel and SIGTERM', () => {
  it('a cancel not honoured within the grace kills the host and fails the job saying what was left', async () => {
    const host = await startDeviceHost({ hostPath, cancelGraceMs: 500 });
    const c = context();
    const running = host.run(flash, c.ctx);
    await expect.poll(() => c.progress.length).toBe(1);
    c.abort();
    const err = (await running.catch((e: unknown) => e)) as { code: string; detail: string };
    expect(err.code).toBe('CANCELLED');
    expect(err.detail).toContain(`(pid ${host.pid})`);
    expect(err.detail).toContain('stuck in the kernel');
    // Where the job stood comes from its last progress.
    expect(err.detail).toContain(`${NO_DEVICE} is partly overwritten (8 MiB of 64 MiB written)`);
    expect(c.logs.join('\n')).toContain('Cancel not honoured');
    // SIGKILL, not SIGTERM: the stand-in ignores SIGTERM and would still be there.
    expect(await gone(host.pid)).toBe(true);
    expect(host.alive).toBe(false);
  });

  it('the executor gives each job a fresh host: a killed one does not block the next job', async () => {
    const exec = deviceHostExecutor({ hostPath, cancelGraceMs: 300 });
    const first = context();
    const stuck = exec.run(flash, first.ctx);
    first.abort();
    await expect(stuck).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(exec.run(verify, context().ctx)).resolves.toEqual({ ok: true });
  });

  it('a failure the host reports settles the job at once: the host, which will not exit, is not waited for', async () => {
    // The stand-in ignores shutdown and its input closing. Waiting for its exit would hang this test.
    const exec = deviceHostExecutor({ hostPath });
    await expect(exec.run(backup, context().ctx)).rejects.toMatchObject({
      code: 'DRIVE_GONE',
      detail: 'stand-in: the drive vanished',
    });
  });

  it("main's services replace a helper that was killed as stuck: the next job gets a new host", async () => {
    // The app keeps one helper for many jobs (one password prompt); a dead one must not be reused.
    const hosts: number[] = [];
    const services = createServices({
      stateDir: join(dir, 'state'),
      hosts: {
        helper: async () => {
          const h = await startDeviceHost({ hostPath, cancelGraceMs: 300 });
          hosts.push(h.pid);
          return h;
        },
      },
    });
    const first = services.runner.start(flash, services.executor);
    await expect.poll(() => services.runner.status(first)?.last).toBeDefined();
    services.runner.cancel(first);
    expect((await services.runner.wait(first)).error?.detail).toContain('stuck in the kernel');
    const second = services.runner.start(verify, services.executor);
    expect((await services.runner.wait(second)).state).toBe('done');
    expect(hosts).toHaveLength(2);
    await services.close();
  });
});
