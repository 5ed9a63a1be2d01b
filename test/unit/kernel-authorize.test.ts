import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedJobRequest } from '../../src/main/core/jobs/request';
import { authorizeHelperJob, type AuthorizeContext } from '../../src/main/helper/authorize';
import { asNobody, asRoot, NOBODY, refusal as refusalOf } from '../helpers/authorize-cases';

// The helper's kernel.install and kernel.rollback authorizers on plain inputs, each parameter refused on its own as
// a renderer or a compromised main could send it (no schema parse first: the authorizer must not rely on one).
// The invoking user is nobody; the files are handed to nobody with chown, so this runs as root (as the suite does).

let dir: string;
let workspace: string;
let pkg: string;
let pkgLink: string;
let secret: string;
let chroot: string;
let rootsWorkspace: string;

const install = (params: Record<string, unknown>) =>
  ({
    type: 'kernel.install',
    params: { workspace, host: 'pi5', packageFile: pkg, root: '/', ...params },
  }) as unknown as ParsedJobRequest;
const rollback = (params: Record<string, unknown>) =>
  ({ type: 'kernel.rollback', params: { host: 'pi5', root: '/', ...params } }) as unknown as ParsedJobRequest;

const refusal = (job: unknown, ctx: AuthorizeContext = asNobody) => refusalOf(job, ctx);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-kernel-authorize-'));
  workspace = join(dir, 'workspace');
  await mkdir(workspace);
  await chown(workspace, NOBODY, NOBODY);
  pkg = join(dir, 'linux-pi5_6.6.1-1_arm64.deb');
  await writeFile(pkg, 'deb');
  await chown(pkg, NOBODY, NOBODY);
  pkgLink = join(dir, 'link.deb');
  await symlink(pkg, pkgLink);
  secret = join(dir, 'secret.deb');
  await writeFile(secret, 'root only');
  await chmod(secret, 0o600);
  chroot = join(dir, 'chroot');
  await mkdir(chroot);
  rootsWorkspace = join(dir, 'roots-workspace');
  await mkdir(rootsWorkspace);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kernel.install authorizer', () => {
  it('runs what it checked: the real paths, the parameters it names and nothing else', async () => {
    // Mutation caught: returning the params as sent (the symlink, an extra field) instead of the checked ones.
    const out = await authorizeHelperJob(install({ packageFile: pkgLink, extra: 'x' }), asNobody);
    expect(out.params).toEqual({ workspace, host: 'pi5', packageFile: pkg, root: '/' });
  });

  it('refuses a host that is not a plain token', async () => {
    // Mutation caught: dropping checkKernelHost (the host becomes <root>/var/lib/kintsugi/kernel/<host>.json).
    for (const host of ['../etc', 'a/b', '-x', '', '.hidden', 7])
      expect(await refusal(install({ host }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a package that is missing, a folder, or a file the user could not read', async () => {
    // Mutations caught: dropping the existence check, the regular-file check, the uid/mode readability check.
    expect(await refusal(install({ packageFile: join(dir, 'none.deb') }))).toMatchObject({
      code: 'KERNEL_INSTALL_BAD_PACKAGE',
    });
    expect(await refusal(install({ packageFile: dir }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const r = await refusal(install({ packageFile: secret }));
    expect(r.code).toBe('INVALID_ARGUMENT');
    expect(r.detail).toContain('could not read it yourself');
  });

  it('refuses a workspace the user does not own', async () => {
    // Mutation caught: dropping the workspace check (root would read a manifest someone else wrote).
    expect(await refusal(install({ workspace: rootsWorkspace }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a root other than / to a user who is not root; lets root name one', async () => {
    // Mutations caught: not reusing the os rule (any root for anyone), or refusing non-/ roots to root too.
    expect(await refusal(install({ root: chroot }))).toMatchObject({ code: 'OS_TARGET_NOT_ALLOWED' });
    expect(await refusal(install({ root: 'relative' }), asRoot)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const out = await authorizeHelperJob(
      install({ root: chroot, workspace: rootsWorkspace, packageFile: secret }),
      asRoot,
    );
    expect(out.params).toMatchObject({ root: chroot });
  });
});

describe('kernel.rollback authorizer', () => {
  it('gives back the host and the real root', async () => {
    // Mutation caught: returning the root as sent ('/./' would then be compared as a string later).
    const out = await authorizeHelperJob(rollback({ root: '/./', extra: 1 }), asNobody);
    expect(out.params).toEqual({ host: 'pi5', root: '/' });
  });

  it('refuses a bad host, and another root to a user who is not root', async () => {
    // Mutations caught: no host check in rollback, no root rule in rollback.
    expect(await refusal(rollback({ host: '../x' }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await refusal(rollback({ root: chroot }))).toMatchObject({ code: 'OS_TARGET_NOT_ALLOWED' });
    expect(await refusal(rollback({ root: join(dir, 'missing') }), asRoot)).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
