import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { installFramework } from '../../src/main/core/frameworks/install';
import { checkSystemUninstall } from '../../src/main/core/frameworks/system-checks';
import { uninstallFramework } from '../../src/main/core/frameworks/uninstall';
import type { FrameworkTools } from '../../src/main/core/frameworks/tools';
import { quietContext, type JobContext } from '../../src/main/core/jobs/context';
import { aptRoot, buildDeb, installedPackages, type AptRoot } from '../helpers/apt-root';
import { startLocalServer } from '../helpers/local-server';

// apt and .deb recipes with the real apt-get and dpkg, against a throwaway root (test/helpers/apt-root.ts refuses
// to run unless apt's Dir is that root). The .deb is served by a local HTTP server on 127.0.0.1.

let dir: string;
let apt: AptRoot;
let tools: FrameworkTools;
let server: Awaited<ReturnType<typeof startLocalServer>>;
let deb: { bytes: Buffer; sha256: string };

const logged = (): JobContext & { lines: string[] } => {
  const lines: string[] = [];
  return { ...quietContext(), log: (m) => void lines.push(m), lines };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-fw-apt-'));
  apt = await aptRoot(dir, [
    { name: 'hello-fw', version: '1.0', binary: 'hello-fw' },
    { name: 'libfw-common', version: '1.0' },
    { name: 'fw-with-dep', version: '1.0', binary: 'fw-with-dep', depends: 'libfw-common' },
    { name: 'fw-no-binary', version: '1.0' },
  ]);
  tools = { env: apt.env };
  // A .deb outside the repository, fetched by URL (its dependency-free install goes through apt too).
  const file = await buildDeb(join(dir, 'loose'), { name: 'deb-fw', version: '2.0', binary: 'deb-fw' });
  const bytes = await readFile(file);
  deb = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  server = await startLocalServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.debian.binary-package' });
    res.end(deb.bytes);
  });
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('apt recipe (throwaway root)', () => {
  it('installs the package with its dependency, streams apt output into the log, and the binary answers', async () => {
    const ctx = logged();
    const r = await installFramework(
      { name: 'fw-with-dep', recipe: { apt: 'fw-with-dep' }, binary: 'fw-with-dep' },
      ctx,
      tools,
    );
    expect(r.state).toMatchObject({
      installed: true,
      version: 'fw-with-dep 1.0',
      path: join(apt.root, 'usr/bin/fw-with-dep'),
    });
    expect(await installedPackages(apt)).toEqual(expect.arrayContaining(['fw-with-dep', 'libfw-common']));
    expect(ctx.lines).toContain('$ apt-get install -y -q --no-remove fw-with-dep');
    expect(ctx.lines.some((l) => /Setting up fw-with-dep/.test(l))).toBe(true);
  });

  it('refuses to uninstall a package others depend on, removing nothing (helper check and core alike)', async () => {
    const refused = await checkSystemUninstall({ name: 'x', package: 'libfw-common' }, tools).catch(
      (e: unknown) => e,
    );
    expect((refused as KintsugiError).detail).toMatch(
      /would remove (libfw-common, fw-with-dep|fw-with-dep, libfw-common): the helper removes exactly one package/,
    );
    const err = await uninstallFramework(
      { name: 'x', recipe: { apt: 'libfw-common' } },
      quietContext(),
      tools,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KintsugiError);
    expect((err as KintsugiError).detail).toMatch(/removing libfw-common would also remove fw-with-dep/);
    expect(await installedPackages(apt)).toEqual(expect.arrayContaining(['fw-with-dep', 'libfw-common']));
  });

  it('uninstalls exactly the package, and the binary is gone', async () => {
    expect(await checkSystemUninstall({ name: 'fw-with-dep', package: 'fw-with-dep' }, tools)).toEqual({
      name: 'fw-with-dep',
      package: 'fw-with-dep',
    });
    const r = await uninstallFramework(
      { name: 'fw-with-dep', recipe: { apt: 'fw-with-dep' }, binary: 'fw-with-dep' },
      quietContext(),
      tools,
    );
    expect(r.state.installed).toBe(false);
    const left = await installedPackages(apt);
    expect(left).not.toContain('fw-with-dep');
    expect(left).toContain('libfw-common'); // not autoremoved: only the one package
  });

  it('an apt install whose binary never answers is rolled back: nothing left registered', async () => {
    const err = await installFramework(
      { name: 'fw-no-binary', recipe: { apt: 'fw-no-binary' }, binary: 'fw-no-binary' },
      quietContext(),
      tools,
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('FRAMEWORK_INSTALL_FAILED');
    expect((err as KintsugiError).detail).toMatch(
      /step "verify" failed: .*fw-no-binary not found.*rolled back: nothing of it is left installed/,
    );
    expect(await installedPackages(apt)).not.toContain('fw-no-binary');
  });

  it('an unknown package fails at the install step, naming it', async () => {
    const err = await installFramework(
      { name: 'nope', recipe: { apt: 'no-such-package' }, binary: 'nope' },
      quietContext(),
      tools,
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('FRAMEWORK_INSTALL_FAILED');
    expect((err as KintsugiError).detail).toMatch(
      /step "install" failed: `apt-get install .*no-such-package`.*Unable to locate package no-such-package.*; rolled back: nothing of it is left installed$/,
    );
  });
});

describe('deb recipe (throwaway root, local server)', () => {
  it('refuses a .deb whose sha256 differs from the manifest, installing nothing', async () => {
    const wrong = '0'.repeat(64);
    const err = await installFramework(
      {
        name: 'deb-fw',
        recipe: { deb: { url: `${server.base}/deb-fw.deb`, sha256: wrong, package: 'deb-fw' } },
        binary: 'deb-fw',
      },
      quietContext(),
      tools,
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('FRAMEWORK_DEB_MISMATCH');
    expect((err as KintsugiError).detail).toContain(`sha256 ${deb.sha256}, the manifest says ${wrong}`);
    expect(await installedPackages(apt)).not.toContain('deb-fw');
  });

  it('refuses a .deb that is another package than the manifest says', async () => {
    const err = await installFramework(
      {
        name: 'deb-fw',
        recipe: { deb: { url: `${server.base}/deb-fw.deb`, sha256: deb.sha256, package: 'other-fw' } },
        binary: 'deb-fw',
      },
      quietContext(),
      tools,
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('FRAMEWORK_DEB_MISMATCH');
    expect((err as KintsugiError).detail).toMatch(/is the package "deb-fw", the manifest says "other-fw"/);
  });

  it('installs a matching .deb and uninstalls it by its package name', async () => {
    const recipe = { deb: { url: `${server.base}/deb-fw.deb`, sha256: deb.sha256, package: 'deb-fw' } };
    const r = await installFramework({ name: 'deb-fw', recipe, binary: 'deb-fw' }, quietContext(), tools);
    expect(r.state).toMatchObject({ installed: true, version: 'deb-fw 2.0' });
    expect(await installedPackages(apt)).toContain('deb-fw');
    await uninstallFramework({ name: 'deb-fw', recipe, binary: 'deb-fw' }, quietContext(), tools);
    expect(await installedPackages(apt)).not.toContain('deb-fw');
    expect(await stat(join(apt.root, 'usr/bin/deb-fw')).catch(() => null)).toBeNull();
  });
});
