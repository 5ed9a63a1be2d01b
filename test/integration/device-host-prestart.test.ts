import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRequest } from '../../src/shared/registry';
import { deviceHostExecutor } from '../../src/main/cli/device-host-client';
import type { CliIo } from '../../src/main/cli/io';
import { main } from '../../src/main/cli/main';

// The CLI starts a device command's host before it loads the command's code (cli/run-command.ts RUNS_DEVICE_JOB,
// device-host-client.ts prestart), against real child processes. The child is a STAND-IN host: it speaks the
// protocol, writes its pid to starts.log beside itself when it starts, answers every job with its pid, and leaves
// on shutdown or when its input closes, as the real one does.

const STAND_IN_HOST = `
import { appendFileSync } from 'node:fs';
appendFileSync(new URL('./starts.log', import.meta.url), process.pid + '\\n');
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
out({ type: 'ready', version: 'stand-in', pid: process.pid });
setInterval(() => out({ type: 'heartbeat', t: Date.now() }), 200);
let buf = '';
process.stdin.on('data', (c) => {
  buf += c;
  for (let i; (i = buf.indexOf('\\n')) >= 0; buf = buf.slice(i + 1)) {
    const req = JSON.parse(buf.slice(0, i));
    if (req.op === 'shutdown') process.exit(0);
    if (req.op === 'start') out({ jobId: req.id, jobType: req.job.type, type: 'done', result: { pid: process.pid } });
  }
});
process.stdin.on('end', () => process.exit(0));
`;

let dir: string;
let hostPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-prestart-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh folder with the stand-in, so each test counts only its own hosts. */
async function freshHost(name: string): Promise<void> {
  hostPath = join(dir, name, 'host.mjs');
  await rm(join(dir, name), { recursive: true, force: true });
  await mkdir(join(dir, name));
  await writeFile(hostPath, STAND_IN_HOST);
}

/** The pids of the stand-in hosts started so far, in order. */
async function starts(): Promise<number[]> {
  const text = await readFile(join(hostPath, '..', 'starts.log'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// A device name no machine has: the stand-in never opens it, and no real disk is ever named.
const NO_DEVICE = '/dev/kintsugi-test-no-such-disk';
const verify: JobRequest = {
  type: 'verify-drive',
  params: { image: '/img/k.img', device: NO_DEVICE, includeLoop: false },
};
const ctx = () => ({ signal: new AbortController().signal, progress: () => {}, log: () => {} });

describe('the device executor starts the next job host ahead of the job', () => {
  it('the next job runs in the prestarted host, and the job after it in a host of its own', async () => {
    await freshHost('next-job');
    const exec = deviceHostExecutor({ hostPath });
    exec.prestart();
    await expect.poll(starts).toHaveLength(1);
    const [spare] = await starts();
    expect(await exec.run(verify, ctx())).toEqual({ pid: spare });
    expect(await starts()).toEqual([spare]);
    // One host per job, as ever: the first job's host is gone, the second job gets a new one.
    const second = (await exec.run(verify, ctx())) as { pid: number };
    expect(second.pid).not.toBe(spare);
    expect(await starts()).toEqual([spare, second.pid]);
  });

  it('dispose() ends a prestarted host that no job took', async () => {
    await freshHost('unused');
    const exec = deviceHostExecutor({ hostPath });
    exec.prestart();
    await expect.poll(starts).toHaveLength(1);
    const [spare] = await starts();
    await exec.dispose();
    expect(alive(spare!)).toBe(false);
  });
});

function io(uid: number): CliIo & { err: string } {
  const self: CliIo & { err: string } = {
    err: '',
    stdout: { write: () => true },
    stderr: { write: (s: string) => (self.err += s) },
    stdinIsTTY: false,
    readLine: async () => null,
    signal: new AbortController().signal,
    getuid: () => uid,
    cwd: dir,
    env: { XDG_STATE_HOME: join(dir, 'state') },
    deviceHost: { hostPath },
  };
  return self;
}

describe('kintsugi starts the device host of a device command before the command runs', () => {
  it('a backup refused before its job still had its host started, and ended before the CLI returns', async () => {
    await freshHost('refused-backup');
    // Not root and not a folder: refused with NEEDS_ROOT before any job, after the host was prestarted.
    const cli = io(1000);
    const code = await main(['--state-dir', join(dir, 'state'), 'backup', NO_DEVICE, join(dir, 'dest')], cli);
    expect(code).toBe(1);
    expect(cli.err).toContain('NEEDS_ROOT');
    const hosts = await starts();
    expect(hosts).toHaveLength(1);
    expect(alive(hosts[0]!)).toBe(false);
  });

  it('a command that runs no device job starts no host', async () => {
    await freshHost('jobs-list');
    expect(await main(['--state-dir', join(dir, 'state'), 'jobs'], io(0))).toBe(0);
    expect(await starts()).toEqual([]);
  });
});
