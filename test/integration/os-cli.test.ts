import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emptyRoot,
  installDebs,
  serveDirectory,
  serveMainAndSecurity,
  type FakePackage,
} from '../helpers/apt-root';
import { assertCliBuilt, cliRunner } from '../helpers/cli';
import { createOstreeSysroot, type OstreeSysroot } from '../helpers/ostree-sysroot';

// The BUILT `kintsugi os ...` and `koder-os-update ...` end to end against the real apt backend, real apt-get and
// dpkg, in throwaway roots (test/helpers/apt-root.ts; the backend's own guard refuses unless apt's Dir is that
// root), from a flat repository served on 127.0.0.1. Never this machine's own root: every command names --root.
// What is proved here: the exit codes cron acts on (10 / 0 / 1 / 2), the question before apply, the record in
// the state dir, repair of an interrupted apply, and that koder-os-update is the same command.

const OS_BIN = resolve('bin/koder-os-update.js');
const OS_PKGS = ['linux-image-6.1.0-9-amd64', 'initramfs-tools', 'systemd', 'libc6', 'dbus'];
const pkgs = (names: string[], version: string): FakePackage[] => names.map((name) => ({ name, version }));

let dir: string;
let server: Awaited<ReturnType<typeof serveDirectory>>;
let sources: string[];
let n = 0;
const { cli, env } = cliRunner(() => dir);
const koder = (args: string[]) =>
  execa(process.execPath, [OS_BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: 120_000,
    env: env(),
  });
const json = (stdout: unknown) => JSON.parse(String(stdout).trim().split('\n').at(-1)!);

beforeAll(async () => {
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-os-cli-'));
  ({ server, sources } = await serveMainAndSecurity(
    dir,
    [...pkgs(OS_PKGS, '1.0'), ...pkgs(['systemd', 'dbus'], '1.1')],
    pkgs(['libc6'], '1.1'),
  ));
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function freshRoot(): Promise<string> {
  const a = await emptyRoot(join(dir, `case-${++n}`), sources);
  await installDebs(
    a,
    OS_PKGS.map((p) => join(dir, 'www/main/pool', `${p}_1.0_all.deb`)),
  );
  await writeFile(join(a.root, 'etc/os-release'), 'PRETTY_NAME="Kintsugi Test OS 1"\nID=kintsugi\n');
  return a.root;
}

const dpkgVersion = async (root: string, name: string) => {
  const status = await readFile(join(root, 'var/lib/dpkg/status'), 'utf8');
  const stanza = status.split('\n\n').find((s) => s.startsWith(`Package: ${name}\n`));
  return /\nVersion: (.*)/.exec(stanza ?? '')?.[1];
};

describe('kintsugi os / koder-os-update against a throwaway apt root', () => {
  it('status (offline) -> check exits 10 -> apply asks -> apply --yes -> check exits 0 -> rollback', async () => {
    const root = await freshRoot();
    const status = await koder(['status', '--root', root, '--json']);
    expect(status.exitCode).toBe(0);
    expect(json(status.stdout).result).toMatchObject({
      backend: 'apt',
      release: { prettyName: 'Kintsugi Test OS 1' },
    });

    const check = await koder(['check', '--root', root, '--json']);
    expect(check.stderr).toBe('');
    expect(check.exitCode).toBe(10);
    const updates = json(check.stdout).result.updates as { name: string; to: string; security: boolean }[];
    expect(updates.map((u) => u.name).sort()).toEqual(['dbus', 'libc6', 'systemd']);
    expect(updates.find((u) => u.name === 'libc6')).toMatchObject({ to: '1.1', security: true });
    const record = JSON.parse(await readFile(join(env().XDG_STATE_HOME, 'kintsugi', 'os.json'), 'utf8'));
    expect(record).toMatchObject({ lastCheck: { ok: true, by: 'user' }, stateFrom: 'check' });

    // No terminal, no --yes: refused, nothing installed.
    const asked = await cli(['os', 'apply', '--root', root]);
    expect(asked.exitCode).toBe(1);
    expect(asked.stderr).toContain('CONFIRMATION_REQUIRED');
    expect(await dpkgVersion(root, 'systemd')).toBe('1.0');

    const apply = await koder(['apply', '--root', root, '--yes', '--json']);
    expect(apply.exitCode).toBe(0);
    expect(
      json(apply.stdout)
        .result.applied.map((u: { name: string }) => u.name)
        .sort(),
    ).toEqual(['dbus', 'libc6', 'systemd']);
    expect(await dpkgVersion(root, 'systemd')).toBe('1.1');

    const again = await cli(['os', 'check', '--root', root]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('0 updates (0 security)');

    const rollback = await koder(['rollback', '--root', root, '--yes', '--json']);
    expect(rollback.exitCode).toBe(0);
    expect(await dpkgVersion(root, 'systemd')).toBe('1.0');
  });

  it('check exits 1 when the sources cannot be reached, and the failure is recorded', async () => {
    const root = await freshRoot();
    await writeFile(join(root, 'etc/apt/sources.list'), 'deb [trusted=yes] http://127.0.0.1:9/nothing ./\n');
    const r = await cli(['os', 'check', '--root', root, '--json']);
    expect(r.exitCode).toBe(1);
    expect(json(r.stdout).error.code).toMatch(/^OS_/);
    const record = JSON.parse(await readFile(join(env().XDG_STATE_HOME, 'kintsugi', 'os.json'), 'utf8'));
    expect(record.lastCheck).toMatchObject({ ok: false });
  });

  it('repair finishes an interrupted apply (dpkg --configure -a); pin is refused for apt', async () => {
    const root = await freshRoot();
    const a = { root, env: {} };
    await installDebs(a, [join(dir, 'www/main/pool/systemd_1.1_all.deb')], '--unpack');
    const before = await cli(['os', 'status', '--root', root, '--json']);
    expect(json(before.stdout).result.interrupted?.fix).toBe('dpkg --configure -a');
    const repair = await koder(['repair', '--root', root, '--json']);
    expect(repair.exitCode).toBe(0);
    expect(json(repair.stdout).result.interrupted).toBeUndefined();
    const pin = await cli(['os', 'pin', '1', '--root', root, '--json']);
    expect(pin.exitCode).toBe(1);
    expect(json(pin.stdout).error.code).toBe('OS_NOT_SUPPORTED');
  });

  it('refuses an unknown backend as a usage error listing the three (exit 2)', async () => {
    const r = await cli(['os', 'check', '--root', dir, '--backend', 'yum']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('the backends are apt, ostree, rpm-ostree');
  });
});

describe('kintsugi os against a throwaway ostree sysroot', () => {
  let fx: OstreeSysroot | undefined;
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('detects ostree from --sysroot; check exits 10, apply deploys, pin keeps it, check then exits 0', async () => {
    fx = await createOstreeSysroot();
    const ostreeEnv = { ...env(), OSTREE_SYSROOT_DEBUG: 'mutable-deployments' };
    const run = (args: string[]) =>
      execa(process.execPath, [OS_BIN, ...args, '--sysroot', fx!.sysroot, '--os', fx!.osName], {
        reject: false,
        stdin: 'ignore',
        timeout: 120_000,
        env: ostreeEnv,
      });
    const check = await run(['check', '--json']);
    expect(check.exitCode).toBe(10);
    expect(json(check.stdout).result).toMatchObject({
      backend: 'ostree',
      updates: [{ to: '42.2', kind: 'image' }],
    });
    const apply = await run(['apply', '--yes', '--json']);
    expect(apply.exitCode).toBe(0);
    const pin = await run(['pin', '1', '--json']);
    expect(pin.exitCode).toBe(0);
    expect(json(pin.stdout).result.deployments[1]).toMatchObject({ pinned: true });
    expect((await run(['check'])).exitCode).toBe(0);
    expect(json((await run(['status', '--json'])).stdout).result.backend).toBe('ostree');
  });
});
