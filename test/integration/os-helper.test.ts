import { access, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../src/main/core/jobs/context';
import { HelperClient } from '../../src/main/helper/client';
import type { OsState } from '../../src/shared/os/model';
import { buildRepo, emptyRoot, installDebs, serveDirectory } from '../helpers/apt-root';

// The OS jobs through the real privileged helper process (out/main/helper.js), started directly as root: once
// acting for root (no PKEXEC_UID), once for a desktop user (PKEXEC_UID=65534, as pkexec would set it). The
// whitelist, the authorizer and the real apt backend in one process, against a throwaway root served on
// 127.0.0.1. This machine's own root is never updated: the one request naming / is a pin, which apt refuses
// before running anything.

const HELPER = resolve('out/main/helper.js');
let dir: string;
let root: string;
let server: Awaited<ReturnType<typeof serveDirectory>>;
let asRoot: HelperClient;
let asUser: HelperClient;

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; detail?: string };
  }
  throw new Error('expected a failure');
};
const check = (r: string) =>
  ({
    type: 'os-check',
    params: { root: r, allowMetered: false, meteredSetting: 'no', lockTimeoutSeconds: 5 },
  }) as const;

beforeAll(async () => {
  await access(HELPER).catch(() => {
    throw new Error(`${HELPER} is missing: run \`npx electron-vite build\` (npm test does) first`);
  });
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-os-helper-'));
  await buildRepo(
    dir,
    join(dir, 'www/main'),
    [
      { name: 'systemd', version: '1.0' },
      { name: 'systemd', version: '1.1' },
    ],
    { origin: 'Test', suite: 'stable' },
  );
  server = await serveDirectory(join(dir, 'www'));
  const a = await emptyRoot(join(dir, 'case'), [`deb [trusted=yes] ${server.base}/main ./`]);
  await installDebs(a, [join(dir, 'www/main/pool/systemd_1.0_all.deb')]);
  await writeFile(join(a.root, 'etc/os-release'), 'PRETTY_NAME="Kintsugi Test OS 1"\n');
  root = a.root;
  const base = { mode: 'direct' as const, nodePath: process.execPath, helperPath: HELPER };
  asRoot = await HelperClient.start(base);
  asUser = await HelperClient.start({ ...base, env: { ...process.env, PKEXEC_UID: '65534' } });
});

afterAll(async () => {
  await asRoot?.close();
  await asUser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('OS jobs in the privileged helper', () => {
  it('acting for root: checks another root (through a symlink: the real path is what runs)', async () => {
    const link = join(dir, 'root-link');
    await symlink(root, link);
    const s = (await asRoot.run(check(link), quietContext())) as OsState;
    expect(s.backend).toBe('apt');
    expect(s.updates).toEqual([expect.objectContaining({ name: 'systemd', to: '1.1' })]);
  });

  it('acting for a desktop user: another root is refused before anything runs', async () => {
    const e = await failure(asUser.run(check(root), quietContext()));
    expect(e.code).toBe('OS_TARGET_NOT_ALLOWED');
    expect(e.detail).toContain(root);
  });

  it('acting for a desktop user: / passes the authorizer (apt then refuses a pin itself, running nothing)', async () => {
    const e = await failure(
      asUser.run({ type: 'os-pin', params: { backend: 'apt', index: 0, pinned: true } }, quietContext()),
    );
    expect(e.code).toBe('OS_NOT_SUPPORTED');
  });

  it('refuses a bad deployment index and a stateroot that is a path, for anyone', async () => {
    const pin = (params: Record<string, unknown>) =>
      asRoot.run(
        { type: 'os-pin', params: { root, index: 1, pinned: true, ...params } } as never,
        quietContext(),
      );
    expect((await failure(pin({ index: 64 }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(pin({ osName: '../../etc' }))).code).toBe('INVALID_ARGUMENT');
  });
});
