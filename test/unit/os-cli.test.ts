import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCli } from '../../src/main/cli/args';
import type { CliIo } from '../../src/main/cli/io';
import { main } from '../../src/main/cli/main';
import { osCli, OS_EXIT_UPDATES_AVAILABLE } from '../../src/main/cli/domains/os';
import type { OsBackendOptions } from '../../src/main/core/os/backend';
import { fakeOsBackends, readFakeSystem, update, writeFakeSystem } from '../helpers/fake-os-backend';

// `kintsugi os ...` in-process through main(): the grammar, the exit codes cron and fleet tools act on, the
// questions before apply / rollback, and the record in <state-dir>/os.json. The system is the stand-in backend
// (test/helpers/fake-os-backend.ts) in a temp root: a root other than / runs in this process, with the backends
// osCli was built with (the domain's one test seam). No apt, no dpkg, nothing of this machine's own root.

const dir = mkdtempSync(join(tmpdir(), 'kintsugi-os-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let root: string;
let stateHome: string;
let built: OsBackendOptions[];
let domains: ReturnType<typeof osCli>[];
let n = 0;

beforeEach(() => {
  n++;
  root = join(dir, `root-${n}`);
  stateHome = join(dir, `state-${n}`);
  mkdirSync(join(root, 'var', 'lib', 'dpkg'), { recursive: true });
  writeFileSync(join(root, 'var', 'lib', 'dpkg', 'status'), '');
  writeFakeSystem(root, {
    available: [update('systemd', '252.1', '252.2', true), update('bash', '5.2.1', '5.2.2')],
    listed: [],
    installed: { systemd: '252.1', bash: '5.2.1' },
    deployments: [
      {
        index: 0,
        osName: 'fake',
        checksum: 'a'.repeat(64),
        booted: true,
        staged: false,
        pinned: false,
        rollbackTarget: false,
      },
      {
        index: 1,
        osName: 'fake',
        checksum: 'b'.repeat(64),
        booted: false,
        staged: false,
        pinned: false,
        rollbackTarget: true,
      },
    ],
  });
  built = [];
  domains = [osCli({ backends: fakeOsBackends(built) })];
});

interface TestIo extends CliIo {
  out: string;
  err: string;
}

function io(opts: { uid?: number; tty?: boolean; answer?: string } = {}): TestIo {
  const t: TestIo = {
    out: '',
    err: '',
    stdout: { write: (s: string) => (t.out += s) },
    stderr: { write: (s: string) => (t.err += s) },
    stdinIsTTY: Boolean(opts.tty),
    readLine: async (prompt) => {
      t.err += prompt;
      return opts.answer ?? null;
    },
    signal: new AbortController().signal,
    getuid: () => opts.uid ?? 0,
    cwd: dir,
    env: { XDG_STATE_HOME: stateHome },
  };
  return t;
}

const run = async (argv: string[], o: Parameters<typeof io>[0] = {}) => {
  const t = io(o);
  const code = await main(['os', ...argv], t, domains);
  return { code, out: t.out, err: t.err, json: t.out.startsWith('{') ? JSON.parse(t.out) : undefined };
};
const osRecord = () => JSON.parse(readFileSync(join(stateHome, 'kintsugi', 'os.json'), 'utf8'));

describe('kintsugi os grammar', () => {
  const parse = (...argv: string[]) => {
    const c = parseCli(['os', ...argv], '/work', {}, domains).command;
    return c.cmd === 'domain' ? { name: c.subcommand.name, input: c.input } : c;
  };

  it('parses the target options with their defaults, relative paths made absolute', () => {
    expect(parse()).toEqual({
      name: 'status',
      input: { root: '/', sysroot: '/', lockTimeoutSeconds: 120 },
    });
    expect(
      parse(
        'check',
        '--backend',
        'rpm-ostree',
        '--root',
        'r',
        '--sysroot',
        '/sys',
        '--os',
        'fedora',
        '--lock-timeout',
        '5',
        '--allow-metered',
      ),
    ).toEqual({
      name: 'check',
      input: {
        backend: 'rpm-ostree',
        root: '/work/r',
        sysroot: '/sys',
        osName: 'fedora',
        lockTimeoutSeconds: 5,
        allowMetered: true,
      },
    });
    expect(parse('pin', '3')).toMatchObject({ name: 'pin', input: { index: 3 } });
    expect(parse('unpin', '0')).toMatchObject({ name: 'unpin', input: { index: 0 } });
    expect(parse('apply', '-y')).toMatchObject({ name: 'apply', input: { yes: true, allowMetered: false } });
  });

  it('an unknown backend is a usage error that lists the three', () => {
    expect(() => parse('check', '--backend', 'yum')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        detail: '--backend "yum" is not an OS update backend; the backends are apt, ostree, rpm-ostree',
      }),
    );
  });

  it.each([
    [['pin']],
    [['pin', '64']],
    [['pin', '1.5']],
    [['unpin', 'x']],
    [['pin', '1', '2']],
    [['status', 'extra']],
    [['status', '--yes']],
    [['pin', '1', '--allow-metered']],
    [['check', '--os', '../etc']],
    [['check', '--os', '-x']],
    [['check', '--lock-timeout', '-1']],
    [['check', '--lock-timeout', '3601']],
    [['check', '--lock-timeout', '1e3']],
    [['check', '--root', '']],
    [['upgrade']],
  ])('%j is a usage error (exit 2)', async (argv) => {
    expect(() => parse(...argv)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect((await run(argv)).code).toBe(2);
  });
});

describe('kintsugi os exit codes and effects', () => {
  it(`check: ${OS_EXIT_UPDATES_AVAILABLE} with updates (listed in JSON), 0 when up to date; recorded in os.json`, async () => {
    const r = await run(['check', '--root', root, '--json']);
    expect(r.code).toBe(OS_EXIT_UPDATES_AVAILABLE);
    expect(r.json.result.updates.map((u: { name: string }) => u.name)).toEqual(['systemd', 'bash']);
    expect(osRecord()).toMatchObject({
      lastCheck: { ok: true, by: 'user' },
      stateFrom: 'check',
      state: { updates: [{ name: 'systemd' }, { name: 'bash' }] },
    });
    writeFakeSystem(root, { ...readFakeSystem(root), available: [] });
    const clean = await run(['check', '--root', root]);
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('0 updates (0 security)');
  });

  it('check: 1 when it fails, and the failure is recorded (the tray warns on a week of them)', async () => {
    writeFakeSystem(root, { ...readFakeSystem(root), failCheck: 'INTERNAL' });
    const r = await run(['check', '--root', root, '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('INTERNAL');
    expect(osRecord()).toMatchObject({ lastCheck: { ok: false, error: { code: 'INTERNAL' } } });
    expect(osRecord().lastSuccessAt).toBeUndefined();
  });

  it('passes the target to the backend: canonical root, lock timeout, records inside the root', async () => {
    await run(['check', '--root', root, '--lock-timeout', '7']);
    expect(built.at(-1)).toEqual({
      root,
      sysroot: '/',
      lockTimeoutSeconds: 7,
      stateDir: join(root, 'var', 'lib', 'kintsugi-updater', 'os'),
    });
  });

  it('detects the backend from the root, or fails naming what it looked for', async () => {
    mkdirSync(join(root, 'run'));
    writeFileSync(join(root, 'run', 'ostree-booted'), '');
    const r = await run(['status', '--root', root, '--json']);
    expect(r.json.result.backend).toBe(process.env['PATH']?.includes('rpm-ostree') ? 'rpm-ostree' : 'ostree');
    const empty = join(dir, `empty-${n}`);
    mkdirSync(empty);
    const e = await run(['status', '--root', empty, '--json']);
    expect(e.code).toBe(1);
    expect(e.json.error.code).toBe('OS_BACKEND_NOT_DETECTED');
  });

  it('apply asks: refused without a terminal or --yes, cancelled on "no", done on "yes" or --yes', async () => {
    const before = readFakeSystem(root);
    const noTty = await run(['apply', '--root', root]);
    expect(noTty.code).toBe(1);
    expect(noTty.err).toContain('CONFIRMATION_REQUIRED');
    const no = await run(['apply', '--root', root], { tty: true, answer: 'no' });
    expect(no.code).toBe(1);
    expect(no.err).toMatch(/Apply OS updates to .*\? Type yes to continue/);
    expect(readFakeSystem(root)).toEqual(before);
    const yes = await run(['apply', '--root', root], { tty: true, answer: 'yes' });
    expect(yes.code).toBe(0);
    expect(yes.out).toContain('Applied 2 updates');
    expect(readFakeSystem(root).installed).toEqual({ systemd: '252.2', bash: '5.2.2' });
    expect(osRecord()).toMatchObject({ stateFrom: 'apply' });
    expect((await run(['check', '--root', root])).code).toBe(0);
  });

  it('apply --yes shows what was last checked and applies without a question', async () => {
    await run(['check', '--root', root]);
    const r = await run(['apply', '--root', root, '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.result.applied).toHaveLength(2);
    expect(r.json.result.reboot.required).toBe(true);
  });

  it('rollback asks too; pin and unpin change the deployment; repair is apt-only', async () => {
    expect((await run(['rollback', '--root', root])).code).toBe(1);
    expect((await run(['rollback', '--root', root, '--yes'])).code).toBe(0);
    expect((await run(['pin', '1', '--root', root, '--backend', 'ostree'])).code).toBe(0);
    expect(readFakeSystem(root).deployments[1]!.pinned).toBe(true);
    expect((await run(['unpin', '1', '--root', root, '--backend', 'ostree'])).code).toBe(0);
    expect(readFakeSystem(root).deployments[1]!.pinned).toBe(false);
    writeFakeSystem(root, { ...readFakeSystem(root), interrupted: true });
    const s = await run(['status', '--root', root]);
    expect(s.out).toContain('INTERRUPTED: dpkg was interrupted');
    const noRepair = await run(['repair', '--root', root, '--backend', 'ostree', '--json']);
    expect(noRepair.code).toBe(1);
    expect(noRepair.json.error.code).toBe('OS_REPAIR_NOT_SUPPORTED');
    expect((await run(['repair', '--root', root])).code).toBe(0);
    expect(readFakeSystem(root).interrupted).toBe(false);
  });

  it('this machine (/) needs root for a check; status does not', async () => {
    const r = await run(['check', '--json'], { uid: 1000 });
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('NEEDS_ROOT');
    expect(built).toHaveLength(0);
  });
});
