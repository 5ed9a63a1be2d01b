import { execa } from 'execa';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOstreeBackend } from '../../src/main/core/os/ostree';
import { KintsugiError } from '../../src/shared/errors';
import { recordingContext } from '../helpers/ollama-context';
import { createOstreeSysroot, type OstreeSysroot } from '../helpers/ostree-sysroot';

// A really full /boot, measured with the real statfs: the test sysroot's boot folder moved onto a 2 MiB tmpfs
// (root only; nothing but a tmpfs mounted on the test's own temp folder, unmounted in afterAll), then a release
// whose kernel alone is 3 MiB. The backend must refuse before ostree writes anything to /boot.

let fx: OstreeSysroot;
let mounted = false;

beforeAll(async () => {
  fx = await createOstreeSysroot({ published: null });
  const boot = join(fx.sysroot, 'boot');
  const saved = join(fx.dir, 'boot-saved');
  await mkdir(saved);
  await execa('cp', ['-a', `${boot}/.`, saved]);
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'kintsugi-test-boot', boot]);
  mounted = true;
  await execa('cp', ['-a', `${saved}/.`, boot]);
  await fx.publish('42.2', { kernelBytes: 3 * 1024 * 1024 });
});

afterAll(async () => {
  if (mounted) await execa('umount', [join(fx.sysroot, 'boot')]);
  await fx?.cleanup();
});

it('refuses the upgrade with OS_BOOT_FULL on a real 2 MiB /boot, and the sysroot keeps its one deployment', async () => {
  const b = createOstreeBackend({
    root: '/',
    sysroot: fx.sysroot,
    osName: fx.osName,
    lockTimeoutSeconds: 1,
    stateDir: fx.dir,
  });
  const err = await b.apply(recordingContext()).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KintsugiError);
  expect((err as KintsugiError).code).toBe('OS_BOOT_FULL');
  expect((err as KintsugiError).detail).toMatch(/MiB are free/);
  const s = await b.status(recordingContext());
  expect(s.deployments.map((d) => d.version)).toEqual(['42.1']);
  // The download happened (the check runs on the pulled commit); only the deploy was refused.
  expect(s.updates.map((u) => u.to)).toEqual(['42.2']);
});
