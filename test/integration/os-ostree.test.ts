import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OsBackendOptions } from '../../src/main/core/os/backend';
import { cleanupOstree, createOstreeBackend } from '../../src/main/core/os/ostree';
import type { OstreeBackendDeps } from '../../src/main/core/os/ostree';
import { KintsugiError } from '../../src/shared/errors';
import { recordingContext } from '../helpers/ollama-context';
import { createOstreeSysroot, freedPort, type OstreeSysroot } from '../helpers/ostree-sysroot';

// The ostree backend against the real ostree CLI (Debian 12: 2022.7), a temporary sysroot and an archive repo
// served on 127.0.0.1 (test/helpers/ostree-sysroot.ts). A test sysroot is never booted: nothing is staged, and the
// default deployment stands in for the booted one.

let fx: OstreeSysroot | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

/** OSNAME null: none named (the backend picks). */
function backendFor(f: OstreeSysroot, deps: OstreeBackendDeps = {}, osName: string | null = f.osName) {
  const opts: OsBackendOptions = {
    root: '/nonexistent-apt-root',
    sysroot: f.sysroot,
    ...(osName !== null ? { osName } : {}),
    lockTimeoutSeconds: 1,
    stateDir: join(f.dir, 'state'),
  };
  return createOstreeBackend(opts, deps);
}

async function codeOf(p: Promise<unknown>): Promise<KintsugiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KintsugiError);
  return err as KintsugiError;
}

describe('ostree backend: status and check', () => {
  it('status lists the deployed commit from the sysroot, offline, with no update before a check', async () => {
    fx = await createOstreeSysroot();
    const s = await backendFor(fx).status(recordingContext());
    expect(s.backend).toBe('ostree');
    expect(s.deployments).toEqual([
      {
        index: 0,
        osName: 'testos',
        checksum: fx.commits['42.1'],
        version: '42.1',
        origin: 'testos:testos/stable/x86_64',
        booted: false,
        staged: false,
        pinned: false,
        rollbackTarget: false,
      },
    ]);
    expect(s.currentVersion).toBe('42.1');
    // Read from the deployment's own etc/os-release (the commit's usr/etc), not the machine's.
    expect(s.release).toMatchObject({ id: 'testos', versionId: '42.1', prettyName: 'TestOS 42.1' });
    // 42.2 is on the server but the sysroot has not fetched it: status never uses the network.
    expect(s.updates).toEqual([]);
    expect(s.reboot.required).toBe(false);
  });

  it('the stateroot defaults to the only one when none is named; with two and none booted, it must be named', async () => {
    fx = await createOstreeSysroot({ osName: 'kintsugi', published: null });
    const s = await backendFor(fx, {}, null).status(recordingContext());
    expect(s.deployments.map((d) => d.osName)).toEqual(['kintsugi']);
    await fx.ostree(['admin', 'os-init', `--sysroot=${fx.sysroot}`, 'other']);
    const err = await codeOf(backendFor(fx, {}, null).status(recordingContext()));
    expect(err.code).toBe('OS_STATEROOT_AMBIGUOUS');
    expect(err.detail).toContain('kintsugi, other');
    // Named, it works again; the new stateroot has nothing deployed yet.
    expect((await backendFor(fx, {}, 'kintsugi').status(recordingContext())).currentVersion).toBe('42.1');
    expect((await codeOf(backendFor(fx, {}, 'other').status(recordingContext()))).code).toBe(
      'OS_NO_DEPLOYMENT',
    );
  });

  it('a cancelled job stops at the next ostree call with CANCELLED', async () => {
    fx = await createOstreeSysroot({ published: null });
    const ctx = recordingContext();
    ctx.controller.abort();
    expect((await codeOf(backendFor(fx).check(ctx))).code).toBe('CANCELLED');
  });

  it('check finds the published 42.2 as one image update, and status then reports it offline', async () => {
    fx = await createOstreeSysroot();
    const ctx = recordingContext();
    const s = await backendFor(fx).check(ctx);
    expect(s.updates).toEqual([
      {
        name: 'testos:testos/stable/x86_64',
        from: '42.1',
        to: '42.2',
        fromChecksum: fx.commits['42.1'],
        toChecksum: fx.commits['42.2'],
        security: false,
        kind: 'image',
      },
    ]);
    expect(Date.parse(s.checkedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(ctx.events.map((e) => e.phase)).toEqual(['refresh', 'check']);
    // The metadata-only pull moved the local ref: an offline status sees the same update, and nothing deployed.
    const after = await backendFor(fx).status(recordingContext());
    expect(after.updates.map((u) => u.toChecksum)).toEqual([fx.commits['42.2']]);
    expect(after.deployments).toHaveLength(1);
  });

  it('an unreachable server fails the check with OS_IMAGE_REMOTE_UNREACHABLE naming the address', async () => {
    fx = await createOstreeSysroot();
    const port = await freedPort();
    await fx.setRemoteUrl(`http://127.0.0.1:${port}/repo`);
    const err = await codeOf(backendFor(fx).check(recordingContext()));
    expect(err.code).toBe('OS_IMAGE_REMOTE_UNREACHABLE');
    expect(err.detail).toContain(`127.0.0.1:${port}`);
  });

  it('refuses a folder that is not an ostree sysroot, and a stateroot that is not there', async () => {
    fx = await createOstreeSysroot({ published: null });
    const empty = await mkdtemp(join(tmpdir(), 'kintsugi-not-sysroot-'));
    try {
      const notSysroot = createOstreeBackend({
        root: '/',
        sysroot: empty,
        lockTimeoutSeconds: 1,
        stateDir: empty,
      });
      expect((await codeOf(notSysroot.status(recordingContext()))).code).toBe('OS_NOT_OSTREE_SYSROOT');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    const err = await codeOf(backendFor(fx, {}, 'fedora').status(recordingContext()));
    expect(err.code).toBe('OS_UNKNOWN_STATEROOT');
    expect(err.detail).toContain('present: testos');
  });
});

describe('ostree backend: upgrade, pin, rollback', () => {
  it('apply pulls and deploys 42.2 as the new default; a check after it finds nothing', async () => {
    fx = await createOstreeSysroot();
    const b = backendFor(fx);
    const ctx = recordingContext();
    const r = await b.apply(ctx);
    expect(r.applied.map((u) => [u.from, u.to, u.kind])).toEqual([['42.1', '42.2', 'image']]);
    expect(ctx.events.map((e) => e.phase)).toEqual(['download', 'deploy', 'deploy']);
    const s = await b.status(recordingContext());
    expect(s.deployments.map((d) => [d.index, d.checksum, d.rollbackTarget])).toEqual([
      [0, fx.commits['42.2'], false],
      [1, fx.commits['42.1'], true],
    ]);
    expect(s.currentVersion).toBe('42.2');
    expect((await b.check(recordingContext())).updates).toEqual([]);
    // Nothing new: a second apply deploys nothing.
    expect((await b.apply(recordingContext())).applied).toEqual([]);
    expect((await b.status(recordingContext())).deployments).toHaveLength(2);
  });

  it('pin and unpin set the mark ostree itself reports; a deployment that does not exist is refused', async () => {
    fx = await createOstreeSysroot();
    const b = backendFor(fx);
    await b.apply(recordingContext());
    const pinned = await b.pin(recordingContext(), 1, true);
    expect(pinned.deployments.map((d) => d.pinned)).toEqual([false, true]);
    expect(await fx.ostree(['admin', 'status', `--sysroot=${fx.sysroot}`])).toContain('Pinned: yes');
    const unpinned = await b.pin(recordingContext(), 1, false);
    expect(unpinned.deployments.map((d) => d.pinned)).toEqual([false, false]);
    expect(await fx.ostree(['admin', 'status', `--sysroot=${fx.sysroot}`])).not.toContain('Pinned');
    expect((await codeOf(b.pin(recordingContext(), 2, true))).code).toBe('OS_DEPLOYMENT_NOT_FOUND');
    expect((await codeOf(b.pin(recordingContext(), -1, true))).code).toBe('INVALID_ARGUMENT');
  });

  it('rollback makes the previous deployment the default (undeploy 0 where ostree has no set-default)', async () => {
    fx = await createOstreeSysroot();
    const b = backendFor(fx);
    await b.apply(recordingContext());
    const ctx = recordingContext();
    const r = await b.rollback(ctx);
    expect(ctx.events.map((e) => e.phase)).toEqual(['rollback']);
    expect(r.actions.join('\n')).toMatch(/undeploy 0/);
    expect(r.caveats.join('\n')).toMatch(/stays in the repository/);
    const s = await b.status(recordingContext());
    expect(s.deployments.map((d) => d.checksum)).toEqual([fx.commits['42.1']]);
    // 42.2 is still the origin's newest commit: an offline status offers it again.
    expect(s.updates.map((u) => u.to)).toEqual(['42.2']);
  });

  it('cleanup deletes a deployment folder the bootloader no longer lists, and keeps the listed one', async () => {
    fx = await createOstreeSysroot({ published: null });
    const deployDir = join(fx.sysroot, 'ostree', 'deploy', fx.osName, 'deploy');
    const stray = join(deployDir, `${'a'.repeat(64)}.0`);
    await mkdir(join(stray, 'usr'), { recursive: true });
    await cleanupOstree({ sysroot: fx.sysroot }, recordingContext());
    expect((await readdir(deployDir)).sort()).toEqual([
      `${fx.commits['42.1']}.0`,
      `${fx.commits['42.1']}.0.origin`,
    ]);
    const notSysroot = cleanupOstree({ sysroot: join(fx.dir, 'srv') }, recordingContext());
    expect((await codeOf(notSysroot)).code).toBe('OS_NOT_OSTREE_SYSROOT');
  });

  it('rollback keeps a pinned default: it deploys the previous commit again, on top', async () => {
    fx = await createOstreeSysroot();
    const b = backendFor(fx);
    await b.apply(recordingContext());
    await b.pin(recordingContext(), 0, true);
    const r = await b.rollback(recordingContext());
    expect(r.actions.join('\n')).toMatch(/deploy --retain/);
    const s = await b.status(recordingContext());
    expect(s.deployments.map((d) => [d.checksum, d.pinned])).toEqual([
      [fx.commits['42.1'], false],
      [fx.commits['42.2'], true],
      [fx.commits['42.1'], false],
    ]);
  });

  it('rollback with a single deployment is refused and changes nothing', async () => {
    fx = await createOstreeSysroot();
    const b = backendFor(fx);
    expect((await codeOf(b.rollback(recordingContext()))).code).toBe('OS_NO_ROLLBACK_TARGET');
    expect((await b.status(recordingContext())).deployments).toHaveLength(1);
  });

  it('apply refuses before deploying when /boot has less room than the new kernel and initramfs', async () => {
    fx = await createOstreeSysroot({ published: null });
    await fx.publish('42.2', { kernelBytes: 3 * 1024 * 1024 });
    const asked: string[] = [];
    const b = backendFor(fx, {
      freeSpace: async (path) => {
        asked.push(path);
        return { free: 2 * 1024 * 1024 };
      },
    });
    const err = await codeOf(b.apply(recordingContext()));
    expect(err.code).toBe('OS_BOOT_FULL');
    expect(err.detail).toMatch(/42\.2 needs about 4\.0 MiB in .*\/boot .*2\.0 MiB are free/);
    expect(asked).toEqual([join(fx.sysroot, 'boot')]);
    expect((await b.status(recordingContext())).deployments.map((d) => d.version)).toEqual(['42.1']);
  });
});
