import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedJobRequest } from '../../src/main/core/jobs/request';
import { authorizeHelperJob, type AuthorizeContext } from '../../src/main/helper/authorize';
import { asNobody, asRoot, refusal as refusalOf } from '../helpers/authorize-cases';

// The helper's OS authorizers on plain inputs (temp folders, symlinks): every field refused on its own, as a
// renderer or a compromised main could send it (the server's schema parse is skipped here on purpose: the
// authorizer must not rely on it). Each case names the mutation of core/os/target-check.ts it catches.

let dir: string;
let chroot: string;
let linkToSlash: string;
let linkToChroot: string;
let aFile: string;

const target = {
  root: '/',
  sysroot: '/',
  lockTimeoutSeconds: 120,
};
const check = (params: Record<string, unknown>) =>
  ({
    type: 'os-check',
    params: { ...target, allowMetered: false, meteredSetting: 'auto', ...params },
  }) as unknown as ParsedJobRequest;
const pin = (params: Record<string, unknown>) =>
  ({
    type: 'os-pin',
    params: { ...target, index: 1, pinned: true, ...params },
  }) as unknown as ParsedJobRequest;

const refusal = (job: unknown, ctx: AuthorizeContext = asNobody) => refusalOf(job, ctx);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-os-authorize-'));
  chroot = join(dir, 'chroot');
  await mkdir(chroot);
  linkToSlash = join(dir, 'slash');
  await symlink('/', linkToSlash);
  linkToChroot = join(dir, 'to-chroot');
  await symlink(chroot, linkToChroot);
  aFile = join(dir, 'file');
  await writeFile(aFile, '');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OS job authorizers', () => {
  it('lets any invoking user update this machine, and runs the canonical / it checked', async () => {
    // Mutation caught: returning the params as sent (a symlink would then be what runs, not what was checked).
    for (const type of ['os-check', 'os-apply', 'os-rollback', 'os-repair'] as const) {
      const job = {
        type,
        params: {
          ...target,
          root: linkToSlash,
          sysroot: '/./',
          ...(type === 'os-check' || type === 'os-apply'
            ? { allowMetered: false, meteredSetting: 'auto' }
            : {}),
        },
      } as unknown as ParsedJobRequest;
      const out = await authorizeHelperJob(job, asNobody);
      expect(out.params).toMatchObject({ root: '/', sysroot: '/' });
    }
    const out = await authorizeHelperJob(
      pin({ backend: 'ostree', osName: 'fedora', index: 0, pinned: false }),
      asNobody,
    );
    expect(out.params).toMatchObject({
      backend: 'ostree',
      osName: 'fedora',
      index: 0,
      pinned: false,
      root: '/',
    });
  });

  it('refuses another root or sysroot to a user who is not root, even through a symlink', async () => {
    // Mutation caught: dropping the uid rule, or checking it on root only (not sysroot), or on the path as sent
    // rather than its real path.
    expect(await refusal(check({ root: chroot }))).toMatchObject({ code: 'OS_TARGET_NOT_ALLOWED' });
    expect(await refusal(check({ sysroot: chroot }))).toMatchObject({ code: 'OS_TARGET_NOT_ALLOWED' });
    const r = await refusal(check({ root: linkToChroot }));
    expect(r.code).toBe('OS_TARGET_NOT_ALLOWED');
    expect(r.detail).toContain(chroot);
  });

  it('lets root name another root, and gives back its real path', async () => {
    // Mutation caught: refusing non-/ roots for everyone (the CLI-as-root case and the e2e harness need them).
    const out = await authorizeHelperJob(check({ root: linkToChroot, sysroot: chroot }), asRoot);
    expect(out.params).toMatchObject({ root: chroot, sysroot: chroot });
  });

  it('refuses a root that is relative, missing, a file or has a NUL byte', async () => {
    // Mutations caught: skipping the absolute check, the existence check, the isDirectory check.
    for (const root of ['etc', join(dir, 'missing'), aFile, '/tmp\0x'])
      expect(await refusal(check({ root }), asRoot)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await refusal(check({ sysroot: aFile }), asRoot)).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a backend outside the three', async () => {
    // Mutation caught: passing p.backend through unchecked (a name the factory table has no entry for).
    for (const backend of ['yum', 'APT', '', 'apt; rm -rf /'])
      expect(await refusal(check({ backend }))).toMatchObject({ code: 'OS_UNKNOWN_BACKEND' });
  });

  it('refuses a stateroot that is a path, an option or a dot name', async () => {
    // Mutation caught: dropping the osName check (it reaches `ostree admin --os NAME` as root).
    for (const osName of ['../etc', 'a/b', '-x', '--sysroot=/tmp', '.', '..', '', 'x'.repeat(65), 7])
      expect(await refusal(check({ osName }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a lock timeout that is not whole seconds from 0 to 3600', async () => {
    // Mutation caught: dropping the lock timeout check (it becomes an apt -o value).
    for (const lockTimeoutSeconds of [-1, 1.5, 3601, '60', Number.NaN])
      expect(await refusal(check({ lockTimeoutSeconds }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a pin index that is not a small whole number, and a pinned flag that is not a boolean', async () => {
    // Mutations caught: dropping the index check, or the bound (64), or the pinned type check.
    for (const index of [-1, 64, 1.5, '1', Number.NaN, Number.POSITIVE_INFINITY])
      expect(await refusal(pin({ index }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await refusal(pin({ pinned: 'yes' }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    // ...and the target rules hold for pin too (mutation: pin skipping checkOsTarget).
    expect(await refusal(pin({ root: chroot }))).toMatchObject({ code: 'OS_TARGET_NOT_ALLOWED' });
  });
});
