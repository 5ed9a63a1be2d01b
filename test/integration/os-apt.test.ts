import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { Progress } from '../../src/shared/progress';
import { quietContext, type JobContext } from '../../src/main/core/jobs/context';
import { configurePending, createAptBackend } from '../../src/main/core/os/apt';
import { parseProcLocks } from '../../src/main/core/os/apt/lock-holder';
import { rollbackFile, rootStateDir } from '../../src/main/core/os/apt/state-files';
import {
  emptyRoot,
  installDebs,
  serveDirectory,
  serveMainAndSecurity,
  type FakePackage,
} from '../helpers/apt-root';

// The apt backend with the real apt-get and dpkg, against throwaway roots (test/helpers/apt-root.ts and the
// backend's own guard both refuse unless apt's Dir is that root), from two flat repositories served over HTTP on
// 127.0.0.1: "stable" (1.0 of everything, 1.1 of most) and "stable-security" (libc6 1.1 only). The repositories are
// built once; every test gets its own root with the 1.0 packages installed by dpkg.

const OS = ['linux-image-6.1.0-9-amd64', 'initramfs-tools', 'systemd', 'libc6', 'dbus'];
const pkgs = (names: string[], version: string): FakePackage[] => names.map((name) => ({ name, version }));

let dir: string;
let server: Awaited<ReturnType<typeof serveDirectory>>;
let sources: string[];
let roots = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-os-apt-'));
  // Same Origin in both: only the suite name says "security" here.
  ({ server, sources } = await serveMainAndSecurity(
    dir,
    [
      ...pkgs([...OS, 'hello-tool'], '1.0'),
      ...pkgs(['linux-image-6.1.0-9-amd64', 'initramfs-tools', 'systemd', 'hello-tool'], '1.1'),
    ],
    pkgs(['libc6'], '1.1'),
  ));
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A fresh root with the 1.0 packages installed, its own state dir, and a backend on it. */
async function freshRoot(lines: string[] = sources) {
  const d = join(dir, `case-${++roots}`);
  const a = await emptyRoot(d, lines);
  await installDebs(
    a,
    [...OS, 'hello-tool'].map((n) => join(dir, 'www/main/pool', `${n}_1.0_all.deb`)),
  );
  await writeFile(
    join(a.root, 'etc/os-release'),
    'PRETTY_NAME="Kintsugi Test OS 1"\nID=kintsugi\nVERSION_ID="1"\n',
  );
  await writeFile(join(a.root, 'etc/debian_version'), '12.99\n');
  const stateDir = join(d, 'state');
  const backend = createAptBackend({ root: a.root, sysroot: '/', lockTimeoutSeconds: 1, stateDir });
  return { a, backend, stateDir };
}

const recording = (): JobContext & { events: Progress[]; lines: string[] } => {
  const events: Progress[] = [];
  const lines: string[] = [];
  return {
    ...quietContext(),
    progress: (p) => void events.push(p),
    log: (m) => void lines.push(m),
    events,
    lines,
  };
};

async function versions(root: string): Promise<Record<string, string>> {
  const { stdout } = await execa('dpkg-query', [
    `--admindir=${join(root, 'var/lib/dpkg')}`,
    '-W',
    '-f',
    '${Package} ${Version}\n',
  ]);
  return Object.fromEntries(stdout.split('\n').map((l) => l.split(' ') as [string, string]));
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as KintsugiError,
  );

describe('apt backend: check', () => {
  it('lists the OS updates from -> to, flags the -security suite, sizes the downloads, and leaves the rest aside', async () => {
    const { a, backend } = await freshRoot();
    const ctx = recording();
    const s = await backend.check(ctx);
    const byName = Object.fromEntries(s.updates.map((u) => [u.name, u]));
    expect(Object.keys(byName).sort()).toEqual([
      'initramfs-tools',
      'libc6',
      'linux-image-6.1.0-9-amd64',
      'systemd',
    ]);
    expect(byName['libc6']).toMatchObject({ from: '1.0', to: '1.1', security: true, kind: 'userspace' });
    expect(byName['libc6']!.source).toMatch(/stable-security/);
    expect(byName['systemd']).toMatchObject({ from: '1.0', to: '1.1', security: false, kind: 'userspace' });
    expect(byName['linux-image-6.1.0-9-amd64']).toMatchObject({ kind: 'kernel', security: false });
    expect(byName['initramfs-tools']).toMatchObject({ kind: 'kernel' });
    // The size apt would download is the .deb's own size in the repository.
    const debSize = (await readFile(join(dir, 'www/main/pool/systemd_1.1_all.deb'))).length;
    expect(byName['systemd']!.downloadBytes).toBe(debSize);
    expect(s.notOsUpdates).toEqual([{ name: 'hello-tool', from: '1.0', to: '1.1' }]);
    expect(s.release).toEqual({
      id: 'kintsugi',
      prettyName: 'Kintsugi Test OS 1',
      versionId: '1',
      vendor: { file: '/etc/debian_version', text: '12.99' },
    });
    expect(s.currentVersion).toBe('Kintsugi Test OS 1; kernel linux-image-6.1.0-9-amd64 1.0');
    expect(s.interrupted).toBeUndefined();
    expect(s.checkedAt).toBeDefined();
    expect(ctx.events.map((e) => e.phase)).toEqual(expect.arrayContaining(['refresh', 'check']));
    // Nothing was installed by a check.
    expect((await versions(a.root))['systemd']).toBe('1.0');
  });

  it('status answers offline with the last check and reads the reboot flag under the root', async () => {
    const { a, backend } = await freshRoot();
    const before = await backend.status(quietContext());
    expect(before.updates).toEqual([]);
    expect(before.checkedAt).toBeUndefined();
    const checked = await backend.check(quietContext());
    await mkdir(join(a.root, 'var/run'), { recursive: true });
    await writeFile(join(a.root, 'var/run/reboot-required'), '');
    await writeFile(
      join(a.root, 'var/run/reboot-required.pkgs'),
      'linux-image-6.1.0-9-amd64\nlinux-image-6.1.0-9-amd64\n',
    );
    // Offline: the sources are now unreachable, and status does not care.
    await writeFile(join(a.root, 'etc/apt/sources.list'), 'deb [trusted=yes] http://127.0.0.1:1/ ./\n');
    const s = await backend.status(quietContext());
    expect(s.checkedAt).toBe(checked.checkedAt);
    expect(s.updates).toEqual(checked.updates);
    expect(s.reboot).toEqual({ required: true, why: ['linux-image-6.1.0-9-amd64'] });
  });
});

describe('apt backend: apply and rollback', () => {
  it('applies userspace first and kernel last, records the replaced versions first, and leaves other packages alone; rollback brings 1.0 back', async () => {
    const { a, backend, stateDir } = await freshRoot();
    // libc6 came in as a dependency: it must stay "automatically installed" through the apply.
    await execa('apt-mark', ['auto', 'libc6'], { env: a.env });
    await backend.check(quietContext());
    const ctx = recording();
    const r = await backend.apply(ctx);
    expect((await execa('apt-mark', ['showauto'], { env: a.env })).stdout.split('\n')).toEqual(['libc6']);
    expect(r.applied.map((u) => `${u.name} ${u.from}->${u.to}`)).toEqual([
      'libc6 1.0->1.1',
      'systemd 1.0->1.1',
      'initramfs-tools 1.0->1.1',
      'linux-image-6.1.0-9-amd64 1.0->1.1',
    ]);
    const v = await versions(a.root);
    expect(v).toMatchObject({
      systemd: '1.1',
      libc6: '1.1',
      'linux-image-6.1.0-9-amd64': '1.1',
      'initramfs-tools': '1.1',
    });
    expect(v['hello-tool']).toBe('1.0'); // not on the list: untouched
    expect(v['dbus']).toBe('1.0');
    // dpkg's own log: every kernel-phase package configured after every userspace one.
    const log = await readFile(join(a.root, 'var/log/dpkg.log'), 'utf8');
    const order = [...log.matchAll(/ status installed (\S+):all 1\.1/g)].map((m) => m[1]);
    expect(order.slice(0, 2).sort()).toEqual(['libc6', 'systemd']);
    expect(order.slice(2).sort()).toEqual(['initramfs-tools', 'linux-image-6.1.0-9-amd64']);
    // Progress: the userspace phase ends before the kernel phase begins, packages counted.
    const phases = ctx.events
      .filter((e) => e.phase === 'userspace' || e.phase === 'kernel')
      .map((e) => e.phase);
    expect(phases.lastIndexOf('userspace')).toBeLessThan(phases.indexOf('kernel'));
    expect(ctx.events.filter((e) => e.phase === 'kernel').at(-1)).toMatchObject({ items: 2, itemsTotal: 2 });
    expect(ctx.events.some((e) => e.phase === 'download')).toBe(true); // dlstatus lines, before dpkg's
    expect(r.hooks).toEqual([
      `none ran: the root is ${a.root}, not the running system (/); boot hooks only run there`,
    ]);
    // The record of the replaced versions.
    const record = JSON.parse(await readFile(r.rollbackRecord!, 'utf8'));
    expect(record.packages.map((p: { name: string; from: string }) => `${p.name}=${p.from}`).sort()).toEqual([
      'initramfs-tools=1.0',
      'libc6=1.0',
      'linux-image-6.1.0-9-amd64=1.0',
      'systemd=1.0',
    ]);
    expect(r.rollbackRecord!.startsWith(stateDir)).toBe(true);
    // status no longer offers what is installed now.
    expect((await backend.status(quietContext())).updates).toEqual([]);

    const back = await backend.rollback(recording());
    expect(await versions(a.root)).toMatchObject({
      systemd: '1.0',
      libc6: '1.0',
      'linux-image-6.1.0-9-amd64': '1.0',
      'initramfs-tools': '1.0',
      'hello-tool': '1.0',
    });
    expect(back.actions).toContain('reinstalled systemd 1.0 (was 1.1)');
    expect(back.caveats[0]).toMatch(/best effort/);
    // A record is used once.
    expect((await rejection(backend.rollback(quietContext())))?.code).toBe('OS_NO_ROLLBACK_RECORD');
  });

  it('rollback is best effort: a version no source offers is named in the caveats, the rest goes back, the record stays', async () => {
    const { a, backend, stateDir } = await freshRoot();
    await backend.check(quietContext());
    const r = await backend.apply(quietContext());
    // As if the apply had replaced systemd 0.9, a version the mirror has since dropped.
    const record = JSON.parse(await readFile(r.rollbackRecord!, 'utf8'));
    for (const p of record.packages) if (p.name === 'systemd') p.from = '0.9';
    await writeFile(r.rollbackRecord!, JSON.stringify(record));
    const back = await backend.rollback(quietContext());
    expect(back.caveats).toContain('systemd 0.9 is no longer offered by any source: not reinstalled');
    expect(await versions(a.root)).toMatchObject({
      systemd: '1.1',
      libc6: '1.0',
      'linux-image-6.1.0-9-amd64': '1.0',
    });
    expect(JSON.parse(await readFile(rollbackFile(rootStateDir(stateDir, a.root)), 'utf8')).root).toBe(
      a.root,
    );
  });

  it("a root's own apt hooks never run on this machine; its other settings still apply", async () => {
    const { a, backend } = await freshRoot();
    const marker = join(a.root, '..', 'hook-ran');
    // In both places apt reads: the parts folder and the main file.
    await writeFile(
      join(a.root, 'etc/apt/apt.conf.d/50hooks'),
      `DPkg::Post-Invoke { "touch ${marker}"; };\nDPkg::Pre-Install-Pkgs { "touch ${marker}"; };\n`,
    );
    await writeFile(
      join(a.root, 'etc/apt/apt.conf'),
      `APT::Update::Post-Invoke-Success { "touch ${marker}"; };\n`,
    );
    await backend.check(quietContext());
    const r = await backend.apply(quietContext());
    expect(r.applied.map((u) => u.name)).toContain('systemd');
    expect(
      await readFile(marker).then(
        () => 'ran',
        () => 'never ran',
      ),
    ).toBe('never ran');
  });

  it('waits for a held dpkg lock, then names the process holding it; nothing was installed', async () => {
    const { a, backend, stateDir } = await freshRoot();
    await backend.check(quietContext());
    // A real fcntl write lock on lock-frontend, as apt and dpkg take it, and a decoy: another process locking
    // another file on the same filesystem, which the error must not name.
    // Debian's python3 itself (not a version manager's shim script): the pid execa sees is the lock's owner.
    const lockWith = (file: string) =>
      execa('/usr/bin/python3', [
        '-c',
        'import fcntl,sys,time\nf=open(sys.argv[1],"w")\nfcntl.lockf(f,fcntl.LOCK_EX)\ntime.sleep(60)',
        file,
      ]);
    const decoy = lockWith(join(a.root, 'var/lib/dpkg/not-a-lock'));
    const holder = lockWith(join(a.root, 'var/lib/dpkg/lock-frontend'));
    try {
      await waitForLock(decoy.pid!);
      await waitForLock(holder.pid!);
      const started = Date.now();
      const err = await rejection(backend.apply(quietContext()));
      expect(err).toBeInstanceOf(KintsugiError);
      expect(err!.code).toBe('OS_LOCK_HELD');
      expect(err!.detail).toBe(
        `pid ${holder.pid} (python3) holds ${join(a.root, 'var/lib/dpkg/lock-frontend')}`,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(900); // it waited lockTimeoutSeconds (1 s) first
      expect((await versions(a.root))['systemd']).toBe('1.0');
      // The replaced versions were on disk before dpkg was ever asked (it never ran here).
      const record = JSON.parse(await readFile(rollbackFile(rootStateDir(stateDir, a.root)), 'utf8'));
      expect(record.packages.map((p: { name: string }) => p.name)).toContain('systemd');
    } finally {
      for (const p of [holder, decoy]) {
        p.kill('SIGKILL');
        await p.catch(() => undefined);
      }
    }
  });
});

describe('apt backend: an interrupted apply', () => {
  it('is reported at the next check with its fix, blocks apply, and configurePending finishes it', async () => {
    const { a, backend } = await freshRoot();
    // What an apply killed between unpack and configure leaves: systemd 1.1 unpacked, not configured.
    await installDebs(a, [join(dir, 'www/main/pool/systemd_1.1_all.deb')], '--unpack');
    const s = await backend.check(quietContext());
    expect(s.interrupted?.fix).toBe('dpkg --configure -a');
    expect(s.interrupted?.detail).toMatch(/systemd/);
    const refused = await rejection(backend.apply(quietContext()));
    expect(refused?.code).toBe('OS_INTERRUPTED');
    expect((await versions(a.root))['libc6']).toBe('1.0'); // the refusal changed nothing

    const fixed = await configurePending({ root: a.root }, quietContext());
    expect(fixed.interrupted).toBeUndefined();
    expect((await backend.status(quietContext())).interrupted).toBeUndefined();
    const { stdout } = await execa('dpkg-query', [
      `--admindir=${join(a.root, 'var/lib/dpkg')}`,
      '-W',
      '-f',
      '${db:Status-Abbrev}',
      'systemd',
    ]);
    expect(stdout.trim()).toBe('ii');
  });
});

describe('apt backend: bad input', () => {
  it('a sources.list line apt rejects: OS_SOURCES_BROKEN naming the file and entry', async () => {
    const { backend } = await freshRoot([...sources, 'deb http://127.0.0.1:1/']);
    const err = await rejection(backend.check(quietContext()));
    expect(err?.code).toBe('OS_SOURCES_BROKEN');
    expect(err?.detail).toMatch(/Malformed entry 3 in list file .*etc\/apt\/sources\.list/);
  });

  it('a source nothing listens on: OS_SOURCES_UNREACHABLE naming it, and no stale "no updates"', async () => {
    const port = await freedPort();
    const { a, backend } = await freshRoot([`deb [trusted=yes] http://127.0.0.1:${port}/main ./`]);
    // The root's own apt config: no retries with back-off, so the refused connection fails at once.
    await writeFile(join(a.root, 'etc/apt/apt.conf.d/10no-retries'), 'Acquire::Retries "0";\n');
    const started = Date.now();
    const err = await rejection(backend.check(quietContext()));
    // The root's own Acquire::Retries "0" was honoured (apt's default retries with back-off take ~7 s here).
    expect(Date.now() - started).toBeLessThan(4000);
    expect(err?.code).toBe('OS_SOURCES_UNREACHABLE');
    expect(err?.detail).toContain(`127.0.0.1:${port}`);
    expect((await backend.status(quietContext())).checkedAt).toBeUndefined();
  });

  it('a root that does not exist, or holds no dpkg database: OS_ROOT_NOT_FOUND before apt runs', async () => {
    const opts = { sysroot: '/', lockTimeoutSeconds: 1, stateDir: join(dir, 'nowhere-state') };
    const missing = createAptBackend({ ...opts, root: join(dir, 'no-such-root') });
    expect((await rejection(missing.status(quietContext())))?.code).toBe('OS_ROOT_NOT_FOUND');
    await mkdir(join(dir, 'empty-root'));
    const empty = createAptBackend({ ...opts, root: join(dir, 'empty-root') });
    expect((await rejection(empty.check(quietContext())))?.detail).toMatch(/no dpkg database/);
  });

  it('a root whose own apt config moves Dir elsewhere: the guard refuses (OS_ROOT_NOT_ISOLATED)', async () => {
    const { a, backend } = await freshRoot();
    await writeFile(join(a.root, 'etc/apt/apt.conf.d/99elsewhere'), `Dir "${dir}/elsewhere/";\n`);
    const err = await rejection(backend.check(quietContext()));
    expect(err?.code).toBe('OS_ROOT_NOT_ISOLATED');
    expect(err?.detail).toContain('elsewhere');
  });

  it('options the plumbing passes wrong are refused at once (INVALID_ARGUMENT)', async () => {
    const ok = { root: '/', sysroot: '/', lockTimeoutSeconds: 1, stateDir: join(dir, 's') };
    for (const bad of [
      { lockTimeoutSeconds: Number.NaN },
      { lockTimeoutSeconds: -1 },
      { stateDir: 'relative/state' },
    ])
      expect(() => createAptBackend({ ...ok, ...bad })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    expect(() => createAptBackend(ok)).not.toThrow();
    // A quote would end the string in the generated apt.conf.
    const quoted = createAptBackend({ ...ok, root: join(dir, 'a"b') });
    expect((await rejection(quoted.status(quietContext())))?.code).toBe('INVALID_ARGUMENT');
  });

  it('pin is not an apt thing: OS_NOT_SUPPORTED', async () => {
    const { backend } = await freshRoot();
    expect((await rejection(backend.pin(quietContext(), 0, true)))?.code).toBe('OS_NOT_SUPPORTED');
  });
});

/** A port that was just free: bound, read, closed, so nothing listens there. */
async function freedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Until /proc/locks shows PID holding an fcntl lock (the holder is then really in place), at most 10 s. */
async function waitForLock(pid: number): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000;) {
    if (parseProcLocks(await readFile('/proc/locks', 'utf8')).some((l) => l.pid === pid)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`pid ${pid} took no lock within 10 s`);
}
