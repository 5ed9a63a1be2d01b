import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAptOutput } from '../../src/main/core/os/apt/apt-errors';
import { planHooks } from '../../src/main/core/os/apt/hooks';
import { currentVersionLine, parseInstalled } from '../../src/main/core/os/apt/installed';
import { devMajorMinor, parseProcLocks } from '../../src/main/core/os/apt/lock-holder';
import { bareName, globToRegExp } from '../../src/main/core/os/apt/package-glob';
import { splitPlan } from '../../src/main/core/os/apt/plan';
import { parsePrintUris } from '../../src/main/core/os/apt/print-uris';
import { loadRelevantList, relevantList } from '../../src/main/core/os/apt/relevant-list';
import { isSecurityOrigin, parseSimulation } from '../../src/main/core/os/apt/simulation';
import { parseStatusLine, StatusTally } from '../../src/main/core/os/apt/status-fd';
import { parseOsRelease, readOsRelease, toOsRelease } from '../../src/main/core/os/os-release';
import { resolveUnderRoot } from '../../src/main/core/os/under-root';

// The apt backend's pure rules: apt's output formats (simulate, --print-uris, Status-Fd, /proc/locks, the error
// lines), the list's globs and phases, os-release(5) parsing, root-relative symlinks, the boot hooks' plan.

describe('parseSimulation (apt-get -s Inst lines)', () => {
  const out = [
    'Reading package lists...',
    'Inst libc6 [2.36-9] (2.36-9+deb12u4 Debian:12.5/stable, Debian-Security:12/stable-security [amd64])',
    'Inst systemd [252.19-1] (252.22-1 Debian:12.5/stable [amd64]) []',
    'Inst linux-image-6.1.0-10-amd64 (6.1.38-1 Debian:12.1/stable [amd64])',
    'Inst libfoo:i386 [1:1.0] (1:1.1 Local:unstable [i386])',
    'Inst bare [1] (2 [all])',
    'Conf libc6 (2.36-9+deb12u4 Debian:12.5/stable [amd64])',
  ].join('\n');
  const r = parseSimulation(out);

  it('reads name, from, to and the origins of each Inst line, and nothing else', () => {
    expect(r.map((i) => [i.name, i.from, i.to])).toEqual([
      ['libc6', '2.36-9', '2.36-9+deb12u4'],
      ['systemd', '252.19-1', '252.22-1'],
      ['linux-image-6.1.0-10-amd64', undefined, '6.1.38-1'],
      ['libfoo', '1:1.0', '1:1.1'],
      ['bare', '1', '2'],
    ]);
    expect(r[0]!.origins).toEqual(['Debian:12.5/stable', 'Debian-Security:12/stable-security']);
    expect(r[4]!.origins).toEqual([]);
    expect(r[2]).not.toHaveProperty('from');
  });

  it('flags security from any origin whose suite ends in -security or whose origin says Security', () => {
    expect(r.map((i) => i.security)).toEqual([true, false, false, false, false]);
    expect(isSecurityOrigin('Test:stable-security')).toBe(true);
    expect(isSecurityOrigin('Ubuntu:22.04/jammy-security')).toBe(true);
    expect(isSecurityOrigin('Debian-Security:12/bookworm')).toBe(true);
    expect(isSecurityOrigin('Debian:12.5/stable')).toBe(false);
    expect(isSecurityOrigin('Test:security-tools')).toBe(false); // "security" inside a suite name is not the suffix
  });
});

describe('parsePrintUris', () => {
  it('sums the bytes per package from the .deb file names (epochs encoded), skipping other files', () => {
    const sizes = parsePrintUris(
      [
        "'http://h/pool/s/systemd/systemd_252.22-1_amd64.deb' systemd_252.22-1_amd64.deb 3021324 SHA256:ab",
        "'http://h/pool/l/libfoo/libfoo_1%3a1.1_i386.deb' libfoo_1%3a1.1_i386.deb 602 ",
        "'http://h/dists/x/Release' Release 1200 ",
        'garbage line 12',
      ].join('\n'),
    );
    expect([...sizes]).toEqual([
      ['systemd', 3021324],
      ['libfoo', 602],
    ]);
  });
});

describe('Status-Fd', () => {
  it('parses pmstatus with or without an architecture, messages with colons, dlstatus and pmerror', () => {
    expect(parseStatusLine('pmstatus:libc6:77.7778:Configuring libc6 (amd64)')).toEqual({
      kind: 'pmstatus',
      subject: 'libc6',
      percent: 77.7778,
      message: 'Configuring libc6 (amd64)',
    });
    expect(parseStatusLine('pmstatus:libc6:amd64:20:Unpacking libc6: a: b')).toMatchObject({
      subject: 'libc6',
      percent: 20,
      message: 'Unpacking libc6: a: b',
    });
    expect(parseStatusLine('dlstatus:2:49.8017:Retrieving file 2 of 2')).toMatchObject({
      kind: 'dlstatus',
      percent: 49.8017,
    });
    expect(parseStatusLine('pmerror:foo:80:subprocess returned error exit status 1')).toMatchObject({
      kind: 'pmerror',
      subject: 'foo',
    });
    expect(parseStatusLine('not a status line')).toBeUndefined();
  });

  it('counts a package once, when apt says Installed, and collects errors', () => {
    const t = new StatusTally();
    for (const l of [
      'pmstatus:dpkg-exec:0:Running dpkg',
      'pmstatus:a:10:Unpacking a (amd64)',
      'pmstatus:a:20:Installed a (amd64)',
      'pmstatus:b:30:Configuring b (amd64)',
      'pmstatus:a:40:Installed a (amd64)',
      'pmerror:b:50:broken',
    ])
      t.feed(parseStatusLine(l)!);
    expect([...t.done]).toEqual(['a']);
    expect(t.errors).toEqual(['b: broken']);
    expect(t.lastPercent).toBe(50);
  });
});

describe('the OS-relevant list', () => {
  it('globs match whole names, with . and + literal', () => {
    expect(globToRegExp('linux-image-*').test('linux-image-6.1.0-9-amd64')).toBe(true);
    expect(globToRegExp('linux-image-*').test('xlinux-image-1')).toBe(false);
    expect(globToRegExp('libc6').test('libc6-dev')).toBe(false);
    expect(globToRegExp('lib?').test('libc')).toBe(true);
    expect(globToRegExp('g++.x').test('g++.x')).toBe(true);
    expect(globToRegExp('g++.x').test('gggax')).toBe(false);
    expect(() => globToRegExp('a/../b')).toThrow(/not a package glob/);
    expect(bareName('libc6:amd64')).toBe('libc6');
  });

  it('a kernel rule wins over a broader userspace one, whatever the order; unlisted is undefined', () => {
    const l = relevantList([
      { match: 'linux-*', phase: 'userspace' },
      { match: 'linux-image-*', phase: 'kernel' },
    ]);
    expect(l.phaseOf('linux-image-6.1.0-9-amd64:amd64')).toBe('kernel');
    expect(l.phaseOf('linux-base')).toBe('userspace');
    expect(l.phaseOf('hello')).toBeUndefined();
  });

  it('the shipped manifest loads and classifies the kernel and initramfs tools as the last phase', async () => {
    const l = await loadRelevantList();
    expect(
      ['linux-image-amd64', 'linux-headers-6.1.0-9-amd64', 'initramfs-tools', 'dracut-core'].map((n) =>
        l.phaseOf(n),
      ),
    ).toEqual(['kernel', 'kernel', 'kernel', 'kernel']);
    expect(['systemd', 'libc6', 'dbus', 'libsystemd0', 'kintsugi-tools'].map((n) => l.phaseOf(n))).toEqual(
      Array(5).fill('userspace'),
    );
    expect(l.phaseOf('firefox-esr')).toBeUndefined();
  });

  it('a bad entry makes the whole list refused, at file:line:col', async () => {
    const d = await mkdtemp(join(tmpdir(), 'kintsugi-oslist-'));
    try {
      const f = join(d, 'list.yaml');
      await writeFile(f, 'packages:\n  - match: systemd\n  - match: "Bad Name"\n    phase: kernel\n');
      await expect(loadRelevantList(f)).rejects.toMatchObject({
        code: 'OS_MANIFEST_INVALID',
        detail: expect.stringContaining(`${f}:3:12:`),
      });
      await writeFile(f, 'packages:\n  - match: systemd\n    phase: early\n');
      await expect(loadRelevantList(f)).rejects.toMatchObject({
        detail: expect.stringMatching(/:3:\d+: entry 1: phase: .*"kernel"/),
      });
      await expect(loadRelevantList(join(d, 'missing.yaml'))).rejects.toMatchObject({
        code: 'OS_MANIFEST_INVALID',
      });
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });

  it('splitPlan: listed packages are updates with their phase and size, the rest not OS updates', () => {
    const l = relevantList([
      { match: 'systemd', phase: 'userspace' },
      { match: 'linux-image-*', phase: 'kernel' },
    ]);
    const plan = splitPlan(
      parseSimulation(
        'Inst systemd [1] (2 T:stable-security [all])\nInst hello [1] (2 T:stable [all])\nInst linux-image-9 (3 T:stable [all])',
      ),
      new Map([['systemd', 500]]),
      l,
    );
    expect(plan.updates).toEqual([
      {
        name: 'systemd',
        from: '1',
        to: '2',
        security: true,
        kind: 'userspace',
        downloadBytes: 500,
        source: 'T:stable-security',
      },
      {
        name: 'linux-image-9',
        to: '3',
        security: false,
        kind: 'kernel',
        downloadBytes: 0,
        source: 'T:stable',
      },
    ]);
    expect(plan.notOsUpdates).toEqual([{ name: 'hello', from: '1', to: '2' }]);
  });
});

describe('os-release(5)', () => {
  it('reads quoted, single-quoted and escaped values, skips comments and lines that are not assignments', () => {
    const v = parseOsRelease(
      [
        '# a comment',
        'NAME="Kintsugi \\"Gold\\" Linux"',
        "ID='kintsugi'",
        'VERSION_ID=12',
        '  PRETTY_NAME="Kintsugi \\$HOME \\\\ \\`x\\`"  ',
        'BROKEN="unterminated',
        'not an assignment',
        '',
      ].join('\n'),
    );
    expect(Object.fromEntries(v)).toEqual({
      NAME: 'Kintsugi "Gold" Linux',
      ID: 'kintsugi',
      VERSION_ID: '12',
      PRETTY_NAME: 'Kintsugi $HOME \\ `x`',
    });
  });

  it('falls back to NAME VERSION, then to a plain name', () => {
    expect(
      toOsRelease(
        new Map([
          ['NAME', 'Debian'],
          ['VERSION', '12 (bookworm)'],
        ]),
      ).prettyName,
    ).toBe('Debian 12 (bookworm)');
    expect(toOsRelease(new Map()).prettyName).toMatch(/no os-release/);
  });

  describe('under another root', () => {
    let root: string;
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'kintsugi-osrel-'));
      await mkdir(join(root, 'etc'));
      await mkdir(join(root, 'usr/lib'), { recursive: true });
      await writeFile(join(root, 'usr/lib/os-release'), 'PRETTY_NAME="Inside"\nVERSION_ID=7\n');
      // Absolute, as some images have it: from the host it would name the host's own file.
      await symlink('/usr/lib/os-release', join(root, 'etc/os-release'));
      await writeFile(join(root, 'etc/kintsugi-release'), 'Kintsugi 3.1\nmore\n');
      await writeFile(join(root, 'etc/debian_version'), '12.5\n');
    });
    afterAll(() => rm(root, { recursive: true, force: true }));

    it('follows an absolute symlink inside the root, and prefers the vendor file', async () => {
      expect(await resolveUnderRoot(root, '/etc/os-release')).toBe(join(root, 'usr/lib/os-release'));
      expect(await resolveUnderRoot(root, '/etc/../../../etc/os-release')).toBe(
        join(root, 'usr/lib/os-release'),
      );
      expect(await readOsRelease(root)).toEqual({
        prettyName: 'Inside',
        versionId: '7',
        vendor: { file: '/etc/kintsugi-release', text: 'Kintsugi 3.1' },
      });
    });

    it('falls back to /usr/lib/os-release when /etc has none', async () => {
      await rm(join(root, 'etc/os-release'));
      expect((await readOsRelease(root)).prettyName).toBe('Inside');
    });
  });
});

describe('who holds the lock (/proc/locks)', () => {
  it('reads holders (pid, hex device, inode) and skips waiters', () => {
    const locks = parseProcLocks(
      [
        '1: POSIX  ADVISORY  WRITE 6795 fe:00:2188584 0 EOF',
        '1: -> POSIX  ADVISORY  WRITE 7001 fe:00:2188584 0 EOF',
        '2: OFDLCK ADVISORY  WRITE -1 08:1a:42 0 EOF',
        '3: FLOCK  ADVISORY  WRITE 12 00:1f:7 0 EOF',
      ].join('\n'),
    );
    expect(locks).toEqual([
      { pid: 6795, major: 0xfe, minor: 0, inode: 2188584 },
      { pid: -1, major: 8, minor: 0x1a, inode: 42 },
      { pid: 12, major: 0, minor: 0x1f, inode: 7 },
    ]);
  });

  it("decodes Linux's dev_t as glibc does", () => {
    expect(devMajorMinor(0xfe00)).toEqual({ major: 0xfe, minor: 0 });
    expect(devMajorMinor(0x0803)).toEqual({ major: 8, minor: 3 });
    // A minor above 255 is split: its high bits sit above the major's low 12 bits.
    expect(devMajorMinor((259 << 8) | 0x05 | (0x1 << 20))).toEqual({ major: 259, minor: 0x105 });
  });
});

describe('classifyAptOutput', () => {
  const run = (stderr: string, exitCode = 100, stdout = '') =>
    classifyAptOutput({ stderr, stdout, exitCode });
  it('tells a held lock, broken sources, unreachable sources, an interrupted dpkg and other failures apart', () => {
    expect(run('E: Could not get lock /r/var/lib/dpkg/lock-frontend. It is held by process 5 (x)')).toEqual({
      kind: 'lock',
      file: '/r/var/lib/dpkg/lock-frontend',
    });
    expect(
      run(
        'E: Unable to acquire the dpkg frontend lock (/r/var/lib/dpkg/lock-frontend), is another process using it?',
      ),
    ).toMatchObject({ kind: 'lock' });
    expect(run('dpkg: error: dpkg frontend lock was locked by another process with pid 7')).toMatchObject({
      kind: 'lock',
    });
    expect(
      run(
        'E: Malformed entry 3 in list file /r/etc/apt/sources.list (Suite)\nE: The list of sources could not be read.',
      ),
    ).toEqual({
      kind: 'sources-broken',
      detail: 'Malformed entry 3 in list file /r/etc/apt/sources.list (Suite)',
    });
    // apt-get update exits 0 when a source cannot be reached: the warning is what counts.
    expect(
      run('W: Failed to fetch http://127.0.0.1:4/x/./InRelease  Could not connect to 127.0.0.1:4', 0),
    ).toEqual({
      kind: 'unreachable',
      detail: 'Failed to fetch http://127.0.0.1:4/x/./InRelease Could not connect to 127.0.0.1:4',
    });
    expect(
      run("E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem."),
    ).toMatchObject({ kind: 'interrupted' });
    expect(run('W: something harmless', 0)).toBeUndefined();
    expect(run('noise\nE: Unable to locate package nope')).toEqual({
      kind: 'failed',
      detail: 'E: Unable to locate package nope',
    });
  });
});

describe('installed versions and the current version line', () => {
  it('keeps packages whose files are there, drops removed ones', () => {
    const m = parseInstalled('ii \tlibc6\t1.0\nrc \told\t0.9\niU \tsystemd\t1.1\nun \tgone\t\n');
    expect([...m]).toEqual([
      ['libc6', '1.0'],
      ['systemd', '1.1'],
    ]);
  });

  it('names the running kernel on /, the newest installed image on another root', () => {
    const rel = { prettyName: 'Debian GNU/Linux 12 (bookworm)', versionId: '12' };
    const installed = new Map([
      ['linux-image-6.1.0-9-amd64', '6.1.27-1'],
      ['linux-image-6.1.0-10-amd64', '6.1.38-1'],
      ['linux-image-amd64', '6.1.38-1'],
    ]);
    expect(currentVersionLine('/', rel, installed, '6.1.0-9-amd64')).toBe(
      'Debian GNU/Linux 12 (bookworm); kernel linux-image-6.1.0-9-amd64 6.1.27-1',
    );
    expect(currentVersionLine('/mnt', rel, installed, '6.1.0-9-amd64')).toBe(
      'Debian GNU/Linux 12 (bookworm); kernel linux-image-6.1.0-10-amd64 6.1.38-1',
    );
    expect(currentVersionLine('/mnt', { prettyName: 'X', versionId: '3' }, new Map())).toBe('X 3');
  });
});

describe('boot hooks', () => {
  const all = new Set(['update-initramfs', 'update-grub']);
  it('run only on / and only after a kernel-phase change, each only if installed', () => {
    expect(planHooks('/mnt/img', true, all)).toEqual({
      run: [],
      notes: [expect.stringMatching(/^none ran: the root is \/mnt\/img/)],
    });
    expect(planHooks('/', false, all)).toEqual({
      run: [],
      notes: ['none needed: no kernel or initramfs package changed'],
    });
    expect(planHooks('/', true, all).run).toEqual([['update-initramfs', '-u'], ['update-grub']]);
    expect(planHooks('/', true, new Set(['update-initramfs']))).toEqual({
      run: [['update-initramfs', '-u']],
      notes: ['update-grub is not installed: skipped'],
    });
  });
});
