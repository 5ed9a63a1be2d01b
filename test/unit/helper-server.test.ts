import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { JobContext } from '../../src/main/core/jobs/context';
import type { ParsedJobRequest } from '../../src/main/core/jobs/request';
import { lineSplitter, MAX_LINE_BYTES, type HostMessage } from '../../src/main/job-host/protocol';
import { serveJobHost, type JobHostDeps } from '../../src/main/job-host/server';
import { isHelperJob } from '../../src/main/helper/jobs';

// The helper's protocol layer over in-memory streams; the real process is covered in test/integration/helper*.

function harness(overrides: Partial<JobHostDeps> = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  const messages: HostMessage[] = [];
  const calls: string[] = [];
  let buf = '';
  output.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      messages.push(JSON.parse(buf.slice(0, nl)) as HostMessage);
      buf = buf.slice(nl + 1);
    }
  });
  const runJob = async (req: ParsedJobRequest, ctx: JobContext) => {
    calls.push('device' in req.params ? `run:${req.type}:${req.params.device}` : `run:${req.type}`);
    ctx.progress({ kind: 'reflash', phase: 'flash', message: 'working' });
    ctx.log('hello');
    if ('device' in req.params && req.params.device === '/dev/hang') {
      await new Promise((_r, rej) =>
        ctx.signal.addEventListener('abort', () => rej(new KintsugiError('CANCELLED'))),
      );
    }
    return { done: req.type };
  };
  // Stands in for authorize.ts (tested on its own and through the real process): refuses one device and, like the
  // real one, hands back a canonical spelling of another, which is what the server must run.
  const authorize = async (job: ParsedJobRequest): Promise<ParsedJobRequest> => {
    const device = 'device' in job.params ? job.params.device : '';
    calls.push(`authorize:${device}`);
    if (device === '/dev/vda') throw new KintsugiError('DRIVE_IS_SYSTEM', `${device} is the system drive`);
    if (device === '/dev/disk/by-id/usb-stick' && job.type === 'flash')
      return { ...job, params: { ...job.params, device: '/dev/sdz' } };
    return job;
  };
  const exit = serveJobHost({
    name: 'the privileged helper',
    accepts: isHelperJob,
    input,
    output,
    version: '9.9.9',
    pid: 42,
    runJob,
    authorize,
    heartbeatMs: 20,
    ...overrides,
  });
  const send = (obj: unknown) => input.write((typeof obj === 'string' ? obj : JSON.stringify(obj)) + '\n');
  const waitFor = async (pred: (m: HostMessage) => boolean, ms = 2000) => {
    const t0 = Date.now();
    for (;;) {
      const hit = messages.find(pred);
      if (hit) return hit;
      if (Date.now() - t0 > ms)
        throw new Error(`timed out; saw ${JSON.stringify(messages.filter((m) => m.type !== 'heartbeat'))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { input, messages, calls, exit, send, waitFor };
}

const flash = (device: string) => ({
  type: 'flash',
  params: { image: '/tmp/a.img.zst', device, includeLoop: true },
});
const isFailed = (id: string) => (m: HostMessage) => 'jobId' in m && m.jobId === id && m.type === 'failed';
const isDone = (id: string) => (m: HostMessage) => 'jobId' in m && m.jobId === id && m.type === 'done';

describe('helper server', () => {
  it('says ready first, sends heartbeats, runs a whitelisted job after re-checking the drive', async () => {
    const h = harness();
    expect(h.messages[0]).toEqual({ type: 'ready', version: '9.9.9', pid: 42 });
    await h.waitFor((m) => m.type === 'heartbeat');
    h.send({ id: 'j1', op: 'start', job: flash('/dev/loop7') });
    expect(await h.waitFor(isDone('j1'))).toEqual({
      jobId: 'j1',
      jobType: 'flash',
      type: 'done',
      result: { done: 'flash' },
    });
    expect(h.calls).toEqual(['authorize:/dev/loop7', 'run:flash:/dev/loop7']);
    expect(h.messages.some((m) => m.type === 'log' && m.jobId === 'j1' && m.message === 'hello')).toBe(true);
    expect(h.messages.some((m) => m.type === 'progress' && m.jobId === 'j1')).toBe(true);
    h.input.end();
    expect(await h.exit).toBe('stdin-closed');
  });

  it('refuses a system drive in its own check: core never runs', async () => {
    const h = harness();
    h.send({ id: 'j2', op: 'start', job: flash('/dev/vda') });
    const m = await h.waitFor(isFailed('j2'));
    expect(m).toMatchObject({ error: { code: 'DRIVE_IS_SYSTEM', detail: '/dev/vda is the system drive' } });
    expect(h.calls).toEqual(['authorize:/dev/vda']);
    h.input.end();
    await h.exit;
  });

  it('runs the job the authorizer returned (canonical paths), not the one it was sent', async () => {
    const h = harness();
    h.send({ id: 'c1', op: 'start', job: flash('/dev/disk/by-id/usb-stick') });
    await h.waitFor(isDone('c1'));
    expect(h.calls).toEqual(['authorize:/dev/disk/by-id/usb-stick', 'run:flash:/dev/sdz']);
    h.input.end();
    await h.exit;
  });

  it('answers bad input with INVALID_ARGUMENT and keeps serving', async () => {
    const h = harness();
    h.send('{not json');
    h.send({ id: 'a', op: 'format' });
    h.send({ id: 'b', op: 'start', job: { type: 'rm-rf', params: {} } });
    h.send({ id: 'c', op: 'start', job: { type: 'image-check', params: { source: '/tmp/a.img' } } });
    h.send({
      id: 'd',
      op: 'start',
      job: { type: 'flash', params: { image: '/tmp/a', device: '/etc/passwd' } },
    });
    h.send({
      id: 'e',
      op: 'start',
      job: { type: 'backup', params: { source: '/a', destRoot: '/b', extra: 1 } },
    });
    h.send({ id: 'bad id with spaces', op: 'cancel', jobId: 'x' });
    h.send({ id: 'f', op: 'cancel', jobId: 'never-started' });
    const big = JSON.stringify({
      id: 'g',
      op: 'start',
      job: { type: 'backup', params: { source: '/' + 'a'.repeat(MAX_LINE_BYTES) } },
    });
    h.send(big);
    h.send({ id: 'i', op: 'start', job: { type: 'find-persistence', params: { container: '/tmp/x.img' } } });
    h.send({ id: 'h', op: 'start', job: flash('/dev/loop1') });
    await h.waitFor(isDone('h'));
    const errs = h.messages.filter((m) => m.type === 'error' || m.type === 'failed');
    const codeOf = (pred: (m: HostMessage) => boolean) => {
      const m = errs.find(pred) as { error: { code: string; detail?: string } } | undefined;
      return m?.error;
    };
    expect(codeOf((m) => m.type === 'error' && !m.id && /JSON/.test(m.error.detail ?? ''))?.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf((m) => m.type === 'error' && m.id === 'a')?.code).toBe('INVALID_ARGUMENT');
    expect(codeOf(isFailed('b'))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringContaining('type'),
    });
    expect(codeOf(isFailed('c'))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringContaining('image-check'),
    });
    // find-persistence is no job any more: refused as an unknown type before any whitelist is consulted.
    expect(codeOf(isFailed('i'))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringMatching(/^job request: type: /),
    });
    expect(codeOf(isFailed('d'))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringContaining('params.device'),
    });
    expect(codeOf(isFailed('e'))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(codeOf((m) => m.type === 'error' && m.id === 'bad id with spaces')?.code).toBe('INVALID_ARGUMENT');
    expect(codeOf((m) => m.type === 'error' && m.id === 'f')?.detail).toContain('never-started');
    expect(
      codeOf((m) => m.type === 'error' && /1048576 bytes was dropped/.test(m.error.detail ?? ''))?.code,
    ).toBe('INVALID_ARGUMENT');
    // Only the valid request reached the authorizer and core.
    expect(h.calls).toEqual(['authorize:/dev/loop1', 'run:flash:/dev/loop1']);
    h.input.end();
    await h.exit;
  });

  it('obeys cancel, and cancels running jobs when stdin closes (parent died)', async () => {
    const h = harness();
    h.send({ id: 'k1', op: 'start', job: flash('/dev/hang') });
    await h.waitFor((m) => m.type === 'log' && m.jobId === 'k1');
    h.send({ id: 'c1', op: 'cancel', jobId: 'k1' });
    expect(await h.waitFor(isFailed('k1'))).toMatchObject({ error: { code: 'CANCELLED' } });
    expect(await h.waitFor((m) => m.type === 'cancelled')).toEqual({
      type: 'cancelled',
      id: 'c1',
      jobId: 'k1',
      running: true,
    });

    h.send({ id: 'k2', op: 'start', job: flash('/dev/hang') });
    await h.waitFor((m) => m.type === 'log' && m.jobId === 'k2');
    h.input.end();
    expect(await h.exit).toBe('stdin-closed');
    expect(h.messages.find(isFailed('k2'))).toMatchObject({ error: { code: 'CANCELLED' } });
  });

  it('shutdown op stops the server; duplicate job ids are refused', async () => {
    const h = harness();
    h.send({ id: 'z', op: 'start', job: flash('/dev/loop1') });
    await h.waitFor(isDone('z'));
    h.send({ id: 'z', op: 'start', job: flash('/dev/loop1') });
    expect(await h.waitFor(isFailed('z'))).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', detail: expect.stringContaining('already used') },
    });
    h.send({ op: 'shutdown' });
    expect(await h.exit).toBe('shutdown');
  });
});

describe('lineSplitter', () => {
  it('joins lines split across chunks and drops only the oversize one', () => {
    const lines: string[] = [];
    let over = 0;
    const s = lineSplitter(
      (l) => lines.push(l),
      () => over++,
      10,
    );
    s.push('{"a"');
    s.push(':1}\n{"b":2}\n0123456789ABC');
    s.push('DEF\nok\n');
    s.push('tail');
    s.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', 'ok', 'tail']);
    expect(over).toBe(1);
  });
});
