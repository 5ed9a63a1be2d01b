import { describe, expect, it } from 'vitest';
import { checkPackageArch, packageArchFor } from '../../src/main/core/kernel/install/arch';
import { decideHeartbeat } from '../../src/main/core/kernel/install/heartbeat';
import { dbArgs, installArgv, removeArgv } from '../../src/main/core/kernel/install/package-db';
import {
  kernelReleaseOf,
  parsePkgInfo,
  parseTarListing,
} from '../../src/main/core/kernel/install/package-file';
import { checkHost, stateFile } from '../../src/main/core/kernel/install/paths';
import type { InstallRecord } from '../../src/main/core/kernel/install/state';
import { triggerPlan } from '../../src/main/core/kernel/install/triggers';
import { KintsugiError } from '../../src/shared/errors';
import { kernelCli } from '../helpers/kernel-cli';

// The pure rules of the kernel install: the heartbeat decision on a fake clock, the boot triggers that may run,
// the package manager command lines (pacman's too: its throwaway-root run is in the integration test), arch names.

/** The detail of the KintsugiError FN throws (the catalogue message is the same for every refusal). */
function detailOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KintsugiError) return err.detail ?? '';
    throw err;
  }
  throw new Error('did not throw');
}

const T0 = Date.parse('2026-11-25T05:00:00Z');
const rec = (over: Partial<InstallRecord> = {}): InstallRecord => ({
  schema: 1,
  host: 'h',
  kind: 'deb',
  install: { bootloader: 'grub', initramfs: 'update-initramfs' },
  package: {
    file: '/p.deb',
    sha256: 'x',
    name: 'linux-k',
    version: '2',
    arch: 'amd64',
    kernelRelease: '6.6.2-k',
  },
  replaced: { version: '1', kernelRelease: '6.6.1-k' },
  backupPath: '/b',
  heartbeatTimeoutSec: 600,
  phase: 'pending-heartbeat',
  steps: {},
  installedAt: new Date(T0).toISOString(),
  deadline: new Date(T0 + 600_000).toISOString(),
  ...over,
});

describe('decideHeartbeat (fake clock)', () => {
  it('pending until the deadline, overdue one ms after it', () => {
    expect(decideHeartbeat(rec(), null, T0 + 600_000)).toMatchObject({
      state: 'pending-heartbeat',
      overdue: false,
    });
    expect(decideHeartbeat(rec(), null, T0 + 600_001)).toMatchObject({
      state: 'pending-heartbeat',
      overdue: true,
    });
  });
  it('the timeout comes from the record (0: overdue at once)', () => {
    expect(decideHeartbeat(rec({ heartbeatTimeoutSec: 0 }), null, T0 + 1).overdue).toBe(true);
  });
  it('a later boot restarts the wait from the boot', () => {
    const booted = T0 + 300_000;
    expect(decideHeartbeat(rec(), null, T0 + 700_000, booted).overdue).toBe(false);
    expect(decideHeartbeat(rec(), null, T0 + 900_001, booted).overdue).toBe(true);
  });
  it('confirmed only by a heartbeat of the new release written after the install', () => {
    expect(decideHeartbeat(rec(), { release: '6.6.2-k', writtenAt: T0 + 5 }, T0 + 10 ** 7).state).toBe(
      'confirmed',
    );
    // A heartbeat from before the install says nothing about the new kernel, even if it matches.
    expect(decideHeartbeat(rec(), { release: '6.6.2-k', writtenAt: T0 - 5000 }, T0 + 10).state).toBe(
      'pending-heartbeat',
    );
    const old = decideHeartbeat(rec(), { release: '6.6.1-k', writtenAt: T0 + 5 }, T0 + 700_000);
    expect(old).toMatchObject({ state: 'pending-heartbeat', overdue: true });
    expect(old.note).toContain('old kernel booted');
  });
  it('no record, an unfinished install, a rollback', () => {
    expect(decideHeartbeat(null, null, T0).state).toBe('not-installed');
    expect(
      decideHeartbeat(rec({ phase: 'installing', installedAt: undefined }), null, T0 + 10 ** 9),
    ).toMatchObject({
      state: 'installed',
      overdue: false,
    });
    expect(decideHeartbeat(rec({ phase: 'rolled-back' }), null, T0 + 10 ** 9)).toEqual({
      state: 'rolled-back',
      overdue: false,
    });
  });
});

describe('triggerPlan', () => {
  const base = {
    initramfs: 'update-initramfs',
    bootloader: 'grub',
    release: '6.6.2-k',
    pkgbase: 'linux-k',
  } as const;
  it('never on a root that is not /', () => {
    expect(triggerPlan({ ...base, rootIsSlash: false })).toEqual({ skipped: 'skipped: root is not /' });
  });
  it('the initramfs tool, then the boot menu, as the manifest names them', () => {
    expect(triggerPlan({ ...base, rootIsSlash: true })).toEqual({
      steps: [
        { name: 'update-initramfs', argv: ['update-initramfs', '-c', '-k', '6.6.2-k'] },
        { name: 'grub', argv: ['grub-mkconfig', '-o', '/boot/grub/grub.cfg'] },
      ],
    });
    const arch = triggerPlan({
      ...base,
      rootIsSlash: true,
      initramfs: 'mkinitcpio',
      bootloader: 'systemd-boot',
    });
    expect(arch).toEqual({
      steps: [
        { name: 'mkinitcpio', argv: ['mkinitcpio', '-p', 'linux-k'] },
        {
          name: 'systemd-boot',
          argv: ['kernel-install', 'add', '6.6.2-k', '/usr/lib/modules/6.6.2-k/vmlinuz'],
        },
      ],
    });
    const d = triggerPlan({ ...base, rootIsSlash: true, initramfs: 'dracut', bootloader: 'extlinux' });
    expect(d).toEqual({
      steps: [
        { name: 'dracut', argv: ['dracut', '--force', '/boot/initramfs-6.6.2-k.img', '6.6.2-k'] },
        { name: 'extlinux', argv: ['u-boot-update'] },
      ],
    });
  });
});

describe('package manager command lines', () => {
  it('dpkg and pacman are pointed at the root, their databases and logs inside it', () => {
    expect(installArgv('deb', '/r', '/p.deb')).toEqual([
      'dpkg',
      ['--root=/r', '--admindir=/r/var/lib/dpkg', '--log=/r/var/log/dpkg.log', '--install', '/p.deb'],
    ]);
    expect(installArgv('deb', '/r', '/p.deb', true)[1].at(-2)).toBe('--unpack');
    expect(installArgv('pacman', '/r', '/p.pkg.tar.zst')).toEqual([
      'pacman',
      [...dbArgs('pacman', '/r'), '--upgrade', '/p.pkg.tar.zst'],
    ]);
    expect(dbArgs('pacman', '/r')).toEqual([
      '--root',
      '/r',
      '--dbpath',
      '/r/var/lib/pacman',
      '--cachedir',
      '/r/var/cache/pacman/pkg',
      '--hookdir',
      '/r/etc/pacman.d/hooks',
      '--logfile',
      '/r/var/log/pacman.log',
      '--noconfirm',
    ]);
    expect(removeArgv('pacman', '/r', 'linux-k')[1].slice(-2)).toEqual(['--remove', 'linux-k']);
    expect(removeArgv('deb', '/r', 'linux-k')).toEqual([
      'dpkg',
      [...dbArgs('deb', '/r'), '--remove', 'linux-k'],
    ]);
  });
});

describe('package facts', () => {
  it('arch names: uname -m to Debian, pacman as is; all/any refused', () => {
    expect(packageArchFor('deb', 'aarch64')).toBe('arm64');
    expect(packageArchFor('pacman', 'aarch64')).toBe('aarch64');
    expect(() => checkPackageArch('deb', 'all', 'x86_64', 'f')).toThrow(KintsugiError);
    expect(detailOf(() => checkPackageArch('pacman', 'any', 'x86_64', 'f'))).toMatch(/needs x86_64/);
    expect(() => checkPackageArch('deb', 'amd64', 'x86_64', 'f')).not.toThrow();
  });
  it('the kernel release from a listing; none or two refuse the package', () => {
    const listing = [
      'drwxr-xr-x root/root         0 2026-11-25 04:00 ./usr/lib/modules/6.6.2-k/',
      '-rw-r--r-- root/root      2048 2026-11-25 04:00 ./usr/lib/modules/6.6.2-k/kernel/x.ko',
      '-rw-r--r-- root/root      4096 2026-11-25 04:00 ./boot/vmlinuz-6.6.2-k',
      'lrwxrwxrwx root/root         0 2026-11-25 04:00 ./vmlinuz -> boot/vmlinuz-6.6.2-k',
    ].join('\n');
    const files = parseTarListing(listing);
    expect(files.find((f) => f.path === 'boot/vmlinuz-6.6.2-k')).toEqual({
      path: 'boot/vmlinuz-6.6.2-k',
      size: 4096,
      regular: true,
    });
    expect(files.find((f) => f.path === 'vmlinuz')?.regular).toBe(false);
    expect(kernelReleaseOf(files, 'f')).toBe('6.6.2-k');
    expect(detailOf(() => kernelReleaseOf(files.slice(2), 'f'))).toMatch(/no usr\/lib\/modules/);
    const two = [...files, { path: 'lib/modules/7.0/x', size: 1, regular: true }];
    expect(detailOf(() => kernelReleaseOf(two, 'f'))).toMatch(/several/);
    expect(
      parsePkgInfo('# x\npkgname = linux-k\npkgver = 6.6.2-1\narch = aarch64\ndepend = a\ndepend = b\n'),
    ).toMatchObject({
      pkgname: 'linux-k',
      pkgver: '6.6.2-1',
      arch: 'aarch64',
      depend: 'a',
    });
  });
  it('a host name becomes a file name: no slashes, no dot-dot', () => {
    expect(stateFile('/r', checkHost('board-1'))).toBe('/r/var/lib/kintsugi/kernel/board-1.json');
    for (const h of ['../etc', 'a/b', '', '.hidden', 'a..b'])
      expect(() => checkHost(h), h).toThrow(KintsugiError);
  });
});

describe('kintsugi kernel status | install | rollback: the grammar', () => {
  const { parse } = kernelCli({});
  const input = (argv: string[]) => {
    const p = parse(argv);
    if (p.command.cmd !== 'domain') throw new Error('not a domain command');
    return p.command.input;
  };
  it('install resolves paths against the current folder and defaults root, timeout', () => {
    expect(input(['kernel', 'install', 'b1', '--package', 'k.deb', '--backup-dir', 'bk'])).toEqual({
      host: 'b1',
      root: '/',
      backupDir: '/work/here/bk',
      pkg: '/work/here/k.deb',
      heartbeatTimeoutSec: 600,
      yes: false,
    });
    expect(input(['kernel', 'rollback', 'b1', '--root', 'r', '--yes', '--workspace', '/ws'])).toEqual({
      host: 'b1',
      root: '/work/here/r',
      workspace: '/ws',
      yes: true,
    });
  });
  it('refuses a missing package, a URL, a bad timeout, an option of another subcommand', () => {
    const code = (argv: string[]) => {
      try {
        parse(argv);
        return 'parsed';
      } catch (err) {
        return err instanceof KintsugiError ? `${err.code} ${err.detail}` : String(err);
      }
    };
    expect(code(['kernel', 'install', 'b1'])).toMatch(/^INVALID_ARGUMENT install needs --package/);
    expect(code(['kernel', 'install', 'b1', '--package', 'https://x.invalid/k.deb'])).toMatch(
      /^KERNEL_INSTALL_BAD_PACKAGE .*is a URL/,
    );
    expect(code(['kernel', 'install', 'b1', '--package', '/k.deb', '--heartbeat-timeout', '10m'])).toMatch(
      /^INVALID_ARGUMENT --heartbeat-timeout/,
    );
    expect(code(['kernel', 'status', 'b1', '--backup-dir', '/b'])).toMatch(
      /^INVALID_ARGUMENT --backup-dir does not apply/,
    );
    expect(code(['kernel', 'status'])).toMatch(/^INVALID_ARGUMENT kernel status takes HOST/);
  });
});
