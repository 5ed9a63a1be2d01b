import { execa } from 'execa';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { SimulatedCrash } from '../../src/main/core/kernel/install/crash-seam';
import { installKernel } from '../../src/main/core/kernel/install/install';
import { stateFile } from '../../src/main/core/kernel/install/paths';
import { rollbackKernel } from '../../src/main/core/kernel/install/rollback';
import { kernelStatus } from '../../src/main/core/kernel/install/status';
import {
  dpkgState,
  dpkgStatusFile,
  kernelDeb,
  kernelPkg,
  kernelRoot,
  manifest,
  pacmanRoot,
  pacmanVersion,
  PKG,
  type KernelRoot,
} from '../helpers/kernel-root';
import { assertCliBuilt } from '../helpers/cli';
import { kernelCli, memoryIo } from '../helpers/kernel-cli';

// Real dpkg against throwaway roots (--root/--admindir; helpers/kernel-root.ts refuses any other root): the
// install backs up the replaced kernel byte for byte, refuses before changing anything when the backup or /boot
// cannot take it or the package is for another arch, rolls back to the old files and version, and a crash
// between steps is resumed or rolled back from the record, never guessed at.

const HOST = 'board-1';
const mounts: string[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const m of mounts.reverse()) await execa('umount', [m], { reject: false });
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tmpfs(at: string, opts: string): Promise<void> {
  await mkdir(at, { recursive: true });
  await execa('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', at]);
  mounts.push(at);
}

async function setup(o: Parameters<typeof kernelRoot>[0] = {}) {
  const k = await kernelRoot(o);
  dirs.push(k.dir);
  const next = await kernelDeb(k.dir, { version: '6.6.2-1', release: '6.6.2-kintsugi' });
  return { ...k, next, backupDir: join(k.dir, 'backups') };
}

const read = (k: KernelRoot, p: string) => readFile(join(k.root, p));
const gone = async (path: string) => (await stat(path).catch(() => null)) === null;

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  return err instanceof KintsugiError ? err.code : `not a KintsugiError: ${String(err)}`;
}

describe('kernel install into a throwaway root', () => {
  it('backs up the replaced kernel byte for byte, installs, marks the heartbeat wait, and rolls back', async () => {
    const k = await setup();
    const t0 = Date.parse('2026-11-25T05:00:00Z');
    const r = await installKernel({
      host: HOST,
      manifest: manifest(HOST),
      packageFile: k.next.file,
      root: k.root,
      backupDir: k.backupDir,
      now: () => t0,
    });
    expect(r.ran).toEqual(['backup', 'install', 'triggers', 'await-heartbeat']);
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.2-1 ii`);
    const folder = join(k.backupDir, HOST, '6.6.1-1');
    expect(r.record.backupPath).toBe(folder);
    // Every file of the old kernel, and its initrd that no package owns, kept exactly.
    for (const [p, bytes] of Object.entries(k.old.files))
      expect(Buffer.compare(await readFile(join(folder, 'files', p)), bytes), p).toBe(0);
    expect(
      Buffer.compare(await readFile(join(folder, 'files/boot/initrd.img-6.6.1-kintsugi')), k.oldInitrd),
    ).toBe(0);
    expect(await gone(join(k.root, 'boot/vmlinuz-6.6.1-kintsugi'))).toBe(true); // dpkg took the old one away
    const saved = JSON.parse(await readFile(stateFile(k.root, HOST), 'utf8'));
    expect(saved).toMatchObject({
      phase: 'pending-heartbeat',
      package: { version: '6.6.2-1', kernelRelease: '6.6.2-kintsugi' },
      replaced: { version: '6.6.1-1', kernelRelease: '6.6.1-kintsugi' },
      backupPath: folder,
      deadline: new Date(t0 + 600_000).toISOString(),
      steps: { triggers: { outcomes: ['skipped: root is not /'] } },
    });
    const st = await kernelStatus({ host: HOST, root: k.root, now: t0 + 1000 });
    expect([st.state, st.overdue, st.backupPath]).toEqual(['pending-heartbeat', false, folder]);

    // The same package again (a rerun rollout) changes nothing: no backup of the new kernel over the record's.
    const again = await installKernel({
      host: HOST,
      manifest: manifest(HOST),
      packageFile: k.next.file,
      root: k.root,
      backupDir: k.backupDir,
    });
    expect([again.ran, again.record.backupPath]).toEqual([[], folder]);
    expect(await gone(join(k.backupDir, HOST, '6.6.2-1'))).toBe(true);

    const back = await rollbackKernel({ host: HOST, root: k.root });
    expect(back.nothing).toBe(false);
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.1-1 ii`);
    for (const [p, bytes] of Object.entries(k.old.files))
      expect(Buffer.compare(await read(k, p), bytes), p).toBe(0);
    expect(Buffer.compare(await read(k, 'boot/initrd.img-6.6.1-kintsugi'), k.oldInitrd)).toBe(0);
    expect(await gone(join(k.root, 'boot/vmlinuz-6.6.2-kintsugi'))).toBe(true);
    if (!back.nothing) expect(back.did[0]).toContain('downgraded linux-kintsugi to 6.6.1-1');
    expect((await kernelStatus({ host: HOST, root: k.root })).state).toBe('rolled-back');
  });

  it('without a kept package file, the rollback removes the new package and puts the old files back', async () => {
    const k = await setup({ keepArchive: false });
    await installKernel({
      host: HOST,
      manifest: manifest(HOST),
      packageFile: k.next.file,
      root: k.root,
      backupDir: k.backupDir,
    });
    const back = await rollbackKernel({ host: HOST, root: k.root });
    expect(await dpkgState(k.root)).toBe('');
    for (const [p, bytes] of Object.entries(k.old.files))
      expect(Buffer.compare(await read(k, p), bytes), p).toBe(0);
    if (!back.nothing) expect(back.did[0]).toContain('removed linux-kintsugi 6.6.2-1');
  });

  it('refuses when the backup folder cannot be written: nothing installed, dpkg status unchanged', async () => {
    const k = await setup();
    await tmpfs(k.backupDir, 'ro,size=1m');
    const before = await dpkgStatusFile(k.root);
    expect(
      await codeOf(
        installKernel({
          host: HOST,
          manifest: manifest(HOST),
          packageFile: k.next.file,
          root: k.root,
          backupDir: k.backupDir,
        }),
      ),
    ).toBe('KERNEL_INSTALL_BACKUP_FAILED');
    expect(await dpkgStatusFile(k.root)).toBe(before);
    expect(await gone(stateFile(k.root, HOST))).toBe(true);
  });

  it('refuses when /boot lacks room for both kernels (a small tmpfs): nothing installed', async () => {
    // 256 KiB of tmpfs: the old kernel fits, the new 300 KiB image beside it does not.
    const k = await setup({ beforeInstall: (root) => tmpfs(join(root, 'boot'), 'size=256k') });
    const big = await kernelDeb(k.dir, {
      version: '6.6.3-1',
      release: '6.6.3-kintsugi',
      vmlinuzBytes: 300 * 1024,
    });
    const before = await dpkgStatusFile(k.root);
    expect(
      await codeOf(
        installKernel({
          host: HOST,
          manifest: manifest(HOST),
          packageFile: big.file,
          root: k.root,
          backupDir: k.backupDir,
        }),
      ),
    ).toBe('KERNEL_INSTALL_NO_ROOM');
    expect(await dpkgStatusFile(k.root)).toBe(before);
    expect(await gone(join(k.backupDir, HOST))).toBe(true);
  });

  it('refuses a package for another architecture, a URL and a relative path', async () => {
    const k = await setup();
    const arm = await kernelDeb(k.dir, {
      version: '6.6.2-1',
      release: '6.6.2-kintsugi',
      architecture: 'arm64',
    });
    const o = { host: HOST, manifest: manifest(HOST), root: k.root, backupDir: k.backupDir };
    expect(await codeOf(installKernel({ ...o, packageFile: arm.file }))).toBe('KERNEL_INSTALL_WRONG_ARCH');
    // The same file is right for an aarch64 host: the refusal is the arch, not the file.
    expect(
      await codeOf(
        installKernel({ ...o, manifest: manifest(HOST, { arch: 'aarch64' }), packageFile: k.next.file }),
      ),
    ).toBe('KERNEL_INSTALL_WRONG_ARCH');
    expect(await codeOf(installKernel({ ...o, packageFile: `file://${k.next.file}` }))).toBe(
      'KERNEL_INSTALL_BAD_PACKAGE',
    );
    expect(await codeOf(installKernel({ ...o, packageFile: 'linux.deb' }))).toBe(
      'KERNEL_INSTALL_BAD_PACKAGE',
    );
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.1-1 ii`);
  });

  it('a crash inside the install is resumed by the same package, and refused for another', async () => {
    const k = await setup();
    const o = { host: HOST, manifest: manifest(HOST), root: k.root, backupDir: k.backupDir };
    await expect(
      installKernel({ ...o, packageFile: k.next.file, crashAt: 'within:install' }),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.2-1 iU`); // unpacked, never configured
    expect((await kernelStatus({ host: HOST, root: k.root })).state).toBe('installed');
    const other = await kernelDeb(k.dir, { version: '6.6.3-1', release: '6.6.3-kintsugi' });
    expect(await codeOf(installKernel({ ...o, packageFile: other.file }))).toBe('KERNEL_INSTALL_INTERRUPTED');
    const backupJson = await readFile(join(k.backupDir, HOST, '6.6.1-1', 'backup.json'), 'utf8');

    const again = await installKernel({ ...o, packageFile: k.next.file });
    expect([again.resumed, again.skipped, again.ran]).toEqual([
      true,
      ['backup'],
      ['install', 'triggers', 'await-heartbeat'],
    ]);
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.2-1 ii`);
    // The backup of the old kernel was not redone over the half-installed new one.
    expect(await readFile(join(k.backupDir, HOST, '6.6.1-1', 'backup.json'), 'utf8')).toBe(backupJson);
  });

  it('a crash after the backup, before the install, is rolled back to exactly the old kernel', async () => {
    const k = await setup();
    await expect(
      installKernel({
        host: HOST,
        manifest: manifest(HOST),
        packageFile: k.next.file,
        root: k.root,
        backupDir: k.backupDir,
        crashAt: 'after:backup',
      }),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.1-1 ii`);
    const back = await rollbackKernel({ host: HOST, root: k.root, crashAt: 'after:rollback-package' }).catch(
      (e: unknown) => e,
    );
    expect(back).toBeInstanceOf(SimulatedCrash);
    const resumed = await rollbackKernel({ host: HOST, root: k.root });
    if (resumed.nothing) throw new Error('expected a rollback');
    expect(resumed.skipped).toEqual(['begin', 'rollback-package']);
    expect(resumed.did[0]).toContain('unchanged');
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.1-1 ii`);
    for (const [p, bytes] of Object.entries(k.old.files))
      expect(Buffer.compare(await read(k, p), bytes), p).toBe(0);
  });

  it('a damaged backup stops the rollback before anything changes', async () => {
    const k = await setup();
    await installKernel({
      host: HOST,
      manifest: manifest(HOST),
      packageFile: k.next.file,
      root: k.root,
      backupDir: k.backupDir,
    });
    await writeFile(join(k.backupDir, HOST, '6.6.1-1', 'files/boot/vmlinuz-6.6.1-kintsugi'), 'edited');
    expect(await codeOf(rollbackKernel({ host: HOST, root: k.root }))).toBe('KERNEL_BACKUP_DAMAGED');
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.2-1 ii`);
    expect((await kernelStatus({ host: HOST, root: k.root })).state).toBe('pending-heartbeat');
  });
});

describe('kintsugi kernel install | status | rollback (the subcommands run in-process, manifest handed in)', () => {
  it('asks unless --yes, installs, reports, rolls back', async () => {
    const k = await setup();
    const { run } = kernelCli({ [HOST]: manifest(HOST) });
    const base = ['--root', k.root, '--backup-dir', k.backupDir];
    const install = ['kernel', 'install', HOST, '--package', k.next.file, ...base];
    const before = await dpkgStatusFile(k.root);
    expect(await codeOf(run(install))).toBe('CONFIRMATION_REQUIRED');
    expect(await codeOf(run(install, memoryIo({ tty: true, answer: 'no' })))).toBe('CANCELLED');
    expect(await dpkgStatusFile(k.root)).toBe(before);

    const asked = memoryIo({ tty: true, answer: 'yes' });
    const out = await run(install, asked);
    expect(asked.err).toContain('Type yes to continue');
    expect(out.human).toContain(`replacing 6.6.1-1; backup in ${join(k.backupDir, HOST, '6.6.1-1')}`);
    const st = await run(['kernel', 'status', HOST, '--root', k.root]);
    expect([st.exitCode, (st.result as { state: string }).state]).toEqual([0, 'pending-heartbeat']);

    // The heartbeat of the new kernel confirms it.
    await mkdir(join(k.root, 'var/lib/kintsugi'), { recursive: true });
    await writeFile(join(k.root, 'var/lib/kintsugi/heartbeat'), '6.6.2-kintsugi\n');
    expect((await run(['kernel', 'status', HOST, '--root', k.root])).human).toMatch(/: confirmed\n/);

    const back = await run(['kernel', 'rollback', HOST, '--root', k.root, '--yes']);
    expect(back.human).toContain('downgraded linux-kintsugi to 6.6.1-1');
    expect(await dpkgState(k.root)).toBe(`${PKG} 6.6.1-1 ii`);
  });
});

describe('kernel install with pacman into a throwaway root (--root/--dbpath)', () => {
  it('checks .PKGINFO arch, backs up, installs, and rolls back to the old version', async () => {
    const k = await pacmanRoot();
    dirs.push(k.dir);
    const m = manifest(HOST, {
      package: { kind: 'pacman', pkgbase: PKG, pkgver: '6.6.2', pkgrel: 1, _srctag: 'v6.6.2' },
      install: { bootloader: 'systemd-boot', initramfs: 'mkinitcpio' },
    });
    const backupDir = join(k.dir, 'backups');
    const arm = await kernelPkg(k.dir, { version: '6.6.2-2', release: '6.6.2-kintsugi', arch: 'aarch64' });
    expect(
      await codeOf(
        installKernel({ host: HOST, manifest: m, packageFile: arm.file, root: k.root, backupDir }),
      ),
    ).toBe('KERNEL_INSTALL_WRONG_ARCH');
    const next = await kernelPkg(k.dir, { version: '6.6.2-1', release: '6.6.2-kintsugi' });
    await installKernel({ host: HOST, manifest: m, packageFile: next.file, root: k.root, backupDir });
    expect(await pacmanVersion(k.root)).toBe(`${PKG} 6.6.2-1`);
    const folder = join(backupDir, HOST, '6.6.1-1');
    for (const [p, bytes] of Object.entries(k.old.files))
      expect(Buffer.compare(await readFile(join(folder, 'files', p)), bytes), p).toBe(0);
    expect(Buffer.compare(await readFile(join(folder, `files/boot/initramfs-${PKG}.img`)), k.oldInitrd)).toBe(
      0,
    );

    const back = await rollbackKernel({ host: HOST, root: k.root });
    if (back.nothing) throw new Error('expected a rollback');
    expect(back.did[0]).toContain('downgraded linux-kintsugi to 6.6.1-1');
    expect(await pacmanVersion(k.root)).toBe(`${PKG} 6.6.1-1`);
    for (const [p, bytes] of Object.entries(k.old.files))
      expect(Buffer.compare(await read(k, p), bytes), p).toBe(0);
    expect(await gone(join(k.root, 'usr/lib/modules/6.6.2-kintsugi/vmlinuz'))).toBe(true);
  });
});

describe('the bins over the built CLI', () => {
  it('ka-status exits 1 when the heartbeat is overdue; ka-install refuses a URL before anything', async () => {
    await assertCliBuilt();
    const k = await setup();
    await installKernel({
      host: HOST,
      manifest: manifest(HOST),
      packageFile: k.next.file,
      root: k.root,
      backupDir: k.backupDir,
      heartbeatTimeoutSec: 0,
      now: () => Date.now() - 1000,
    });
    const env = { XDG_STATE_HOME: join(k.dir, 'state') };
    const st = await execa(resolve('bin/ka-status.js'), [HOST, '--root', k.root, '--json'], {
      reject: false,
      env,
    });
    expect(st.exitCode).toBe(1);
    expect(JSON.parse(st.stdout).result).toMatchObject({ state: 'pending-heartbeat', overdue: true });
    const url = await execa(
      resolve('bin/ka-install.js'),
      [HOST, '--package', 'https://x.invalid/k.deb', '--json'],
      {
        reject: false,
        env,
      },
    );
    expect([url.exitCode, JSON.parse(url.stdout).error.code]).toEqual([1, 'KERNEL_INSTALL_BAD_PACKAGE']);
  });
});
