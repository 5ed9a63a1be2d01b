import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../src/main/core/jobs/context';
import { HelperClient } from '../../src/main/helper/client';
import { earlyExitError, helperCommand } from '../../src/main/helper/launch';
import type { Progress } from '../../src/shared/progress';

// pkexec cannot prompt here (no polkit agent, no session): a STAND-IN pkexec script on PATH exits the way the real
// one does (126 dismissed, 127 not authorised) or execs its arguments. Stand-in helpers are small plain-Node
// scripts speaking the protocol (a hung one, a dying one, an echoing one); the real helper bundle is exercised in
// test/integration/helper-process.test.ts.

let dir: string;
const env = () => ({ ...process.env, PATH: `${dir}:${process.env.PATH}` });

async function script(name: string, body: string) {
  const p = join(dir, name);
  await writeFile(p, body);
  await chmod(p, 0o755);
  return p;
}

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; detail?: string };
  }
  throw new Error('expected a failure');
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-helper-client-'));
  await script(
    'pkexec-126',
    '#!/bin/sh\necho "Error executing command as another user: Request dismissed" >&2\nexit 126\n',
  );
  await script(
    'pkexec-127',
    '#!/bin/sh\necho "Error executing command as another user: Not authorized" >&2\nexit 127\n',
  );
  await script('pkexec-1', '#!/bin/sh\necho "pkexec must be setuid root" >&2\nexit 1\n');
  await script('pkexec-exec', '#!/bin/sh\nexec "$@"\n');
  await writeFile(
    join(dir, 'hung-helper.mjs'),
    `process.stdout.write(JSON.stringify({type:'ready',version:'x',pid:process.pid})+'\\n'); process.stdin.resume();`,
  );
  await writeFile(
    join(dir, 'dying-helper.mjs'),
    `process.stdout.write(JSON.stringify({type:'ready',version:'x',pid:process.pid})+'\\n');
     process.stdin.once('data', () => { process.stderr.write('segfault in core\\n'); process.exit(3); });`,
  );
  // Echoes jobs: progress then done; a job on /dev/hang waits for cancel; heartbeats every 50 ms.
  await writeFile(
    join(dir, 'echo-helper.mjs'),
    `const out = (m) => process.stdout.write(JSON.stringify(m)+'\\n');
     out({type:'ready',version:'echo',pid:process.pid, env: process.env.ELECTRON_RUN_AS_NODE});
     const hb = setInterval(() => out({type:'heartbeat',t:Date.now()}), 50);
     let buf='';
     process.stdin.on('data', (c) => { buf += c; let i; while ((i = buf.indexOf('\\n')) >= 0) { const r = JSON.parse(buf.slice(0,i)); buf = buf.slice(i+1);
       if (r.op === 'start') { out({jobId:r.id,type:'progress',progress:{kind:'reflash',phase:'flash',message:'m'}});
         if (r.job.params.device !== '/dev/hang') out({jobId:r.id,type:'done',result:{echo:r.job, env: process.env.ELECTRON_RUN_AS_NODE}}); }
       if (r.op === 'cancel') out({jobId:r.jobId,type:'failed',error:{code:'CANCELLED',message:'Cancelled.'}});
       if (r.op === 'shutdown') { clearInterval(hb); process.exit(0); } } });
     process.stdin.on('end', () => process.exit(0));`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('helperCommand', () => {
  it('runs directly as root, through pkexec otherwise, and always sets ELECTRON_RUN_AS_NODE', () => {
    const o = { nodePath: '/opt/K/kintsugi-updater', helperPath: '/opt/K/helper.js', env: {} };
    expect(helperCommand(o, 0)).toMatchObject({
      file: '/opt/K/kintsugi-updater',
      args: ['/opt/K/helper.js'],
      viaPkexec: false,
    });
    expect(helperCommand(o, 1000)).toMatchObject({
      file: 'pkexec',
      args: ['/opt/K/kintsugi-updater', '/opt/K/helper.js'],
      viaPkexec: true,
    });
    expect(
      helperCommand({ ...o, mode: 'pkexec', launcherPath: '/opt/K/resources/helper/kintsugi-helper' }, 0),
    ).toMatchObject({
      file: 'pkexec',
      args: ['/opt/K/resources/helper/kintsugi-helper'],
    });
    expect(helperCommand({ ...o, mode: 'direct' }, 1000).viaPkexec).toBe(false);
    expect(helperCommand(o, 0).env.ELECTRON_RUN_AS_NODE).toBe('1');
  });

  it('maps pkexec exits; other exits keep stderr', () => {
    expect(earlyExitError(true, 126, null, '').code).toBe('HELPER_AUTH_DISMISSED');
    expect(earlyExitError(true, 127, null, '').code).toBe('HELPER_NOT_AUTHORIZED');
    expect(earlyExitError(false, 127, null, 'x')).toMatchObject({
      code: 'HELPER_FAILED',
      detail: expect.stringMatching(/code 127 before it was ready: x/),
    });
  });
});

describe('HelperClient with a stand-in pkexec', () => {
  const node = process.execPath;
  it('exit 126 -> HELPER_AUTH_DISMISSED, 127 -> HELPER_NOT_AUTHORIZED, other -> HELPER_FAILED with stderr', async () => {
    const base = {
      mode: 'pkexec' as const,
      nodePath: node,
      helperPath: join(dir, 'echo-helper.mjs'),
      env: env(),
    };
    expect(await failure(HelperClient.start({ ...base, pkexecPath: 'pkexec-126' }))).toMatchObject({
      code: 'HELPER_AUTH_DISMISSED',
      detail: expect.stringContaining('Request dismissed'),
    });
    expect(await failure(HelperClient.start({ ...base, pkexecPath: 'pkexec-127' }))).toMatchObject({
      code: 'HELPER_NOT_AUTHORIZED',
    });
    expect(await failure(HelperClient.start({ ...base, pkexecPath: 'pkexec-1' }))).toMatchObject({
      code: 'HELPER_FAILED',
      detail: expect.stringContaining('setuid root'),
    });
    expect(
      await failure(HelperClient.start({ ...base, pkexecPath: join(dir, 'no-such-pkexec') })),
    ).toMatchObject({
      code: 'TOOL_MISSING',
    });
  });

  it('runs jobs through pkexec, relays progress, cancels, and shuts the helper down', async () => {
    const client = await HelperClient.start({
      mode: 'pkexec',
      pkexecPath: 'pkexec-exec',
      nodePath: node,
      helperPath: join(dir, 'echo-helper.mjs'),
      env: env(),
    });
    expect(client.version).toBe('echo');
    const seen: Progress[] = [];
    const ctx = { ...quietContext(), progress: (p: Progress) => seen.push(p) };
    const req = { type: 'restore' as const, params: { backupDir: '/tmp/b', target: '/tmp/a.img' } };
    expect(await client.run(req, ctx)).toEqual({ echo: req, env: '1' });
    expect(seen).toEqual([{ kind: 'reflash', phase: 'flash', message: 'm' }]);

    const ac = new AbortController();
    const hang = client.run(
      { type: 'verify-drive', params: { image: '/a', device: '/dev/hang' } },
      quietContext(ac.signal),
    );
    setTimeout(() => ac.abort(), 30);
    expect(await failure(hang)).toMatchObject({ code: 'CANCELLED' });
    await client.close();
    expect(client.alive).toBe(false);
  });

  it('a helper that stops sending heartbeats fails pending jobs with HELPER_FAILED', async () => {
    const client = await HelperClient.start({
      mode: 'direct',
      nodePath: node,
      helperPath: join(dir, 'hung-helper.mjs'),
      heartbeatTimeoutMs: 300,
    });
    const t0 = Date.now();
    const err = await failure(
      client.run({ type: 'restore', params: { backupDir: '/tmp/b', target: '/tmp/a' } }, quietContext()),
    );
    expect(err).toMatchObject({ code: 'HELPER_FAILED', detail: expect.stringContaining('heartbeat') });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a helper that dies mid-job fails the job with HELPER_FAILED carrying its stderr', async () => {
    const client = await HelperClient.start({
      mode: 'direct',
      nodePath: node,
      helperPath: join(dir, 'dying-helper.mjs'),
    });
    const err = await failure(
      client.run({ type: 'restore', params: { backupDir: '/tmp/b', target: '/tmp/a' } }, quietContext()),
    );
    expect(err).toMatchObject({
      code: 'HELPER_FAILED',
      detail: expect.stringMatching(/code 3.*segfault in core/s),
    });
  });
});
