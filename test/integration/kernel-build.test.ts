import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { BuildResult } from '../../src/shared/kernel/contract';
import { quietContext } from '../../src/main/core/jobs/context';
import { buildDirOf, buildKernel } from '../../src/main/core/kernel/build';
import { loadHostManifest } from '../../src/main/core/kernel/fleet-manifest';
import { isRoot, makepkgConf, printSrcinfo } from '../../src/main/core/kernel/makepkg';
import { placeholders, renderTemplate } from '../../src/main/core/kernel/pkgbuild';
import { signFile } from '../../src/main/core/kernel/sign';
import { BASELINE_TIME, HOST, makeKernelWorkspace, type KernelWorkspace } from '../helpers/kernel-workspace';

// build with Debian's makepkg, for real, on the stand-in template (test/fixtures/kernel/PKGBUILD.stand-in.in: the
// same placeholders and patch step as the shipped template, a one-second "kernel"). As root (here and in CI)
// makepkg runs as `nobody`, which is part of what is tested. Two builds of the same promote must be byte-identical.

let root: string;
let ws: KernelWorkspace;
const lines: string[] = [];
const ctx = { ...quietContext(), log: (m: string) => void lines.push(m) };
let first: BuildResult;

const sha256 = async (f: string) =>
  createHash('sha256')
    .update(await readFile(f))
    .digest('hex');
const bsdtar = async (args: string[]) => (await execa('bsdtar', args)).stdout;

async function failure(p: Promise<unknown>): Promise<KintsugiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KintsugiError);
  return err as KintsugiError;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kintsugi-kernel-build-'));
  ws = await makeKernelWorkspace(root);
  first = await buildKernel({ workspace: ws.workspace, host: HOST }, ctx);
  // Kept aside: later tests rebuild the host (another pkgrel) and the build folder is replaced.
  await writeFile(join(root, 'first.pkg.tar.zst'), await readFile(first.packages[0]!.file));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('kernel build (stand-in template, real makepkg)', () => {
  it('renders source[] and b2sums from the promote, passes makepkg --printsrcinfo, and packages the patched tree', async () => {
    const dir = buildDirOf(ws.workspace, HOST);
    const srcinfo = await readFile(join(dir, '.SRCINFO'), 'utf8');
    expect(srcinfo).toMatch(/^pkgbase = linux-fresnel$/m);
    expect(srcinfo).toMatch(/^\tpkgrel = 1$/m);
    expect(srcinfo).toContain(`\tsource = linux-fresnel-6.9.0.patch\n`);
    // b2sum (coreutils) of the patch makepkg was given is the one in b2sums.
    const b2 = (await execa('b2sum', ['linux-fresnel-6.9.0.patch'], { cwd: dir })).stdout.split(' ')[0]!;
    expect(b2).toBe(first.promote.b2sum);
    expect(srcinfo).toContain(`\tb2sums = ${b2}\n`);
    expect(await readFile(join(dir, 'PKGBUILD'), 'utf8')).toMatch(/^_srctag=v6\.9$/m);

    expect(first.packages.map((p) => p.file.split('/').at(-1))).toEqual([
      'linux-fresnel-6.9.0-1-aarch64.pkg.tar.zst',
      'linux-fresnel-headers-6.9.0-1-aarch64.pkg.tar.zst',
    ]);
    const kernelPkg = first.packages[0]!.file;
    // aarch64 installs Image, not vmlinuz; the image holds the patched sources (the patch was applied).
    const image = await bsdtar(['-xOf', kernelPkg, 'boot/Image-linux-fresnel']);
    expect(image).toContain('bes_quirks();');
    expect(image).toContain('clk_enable_fix(); /* bes2600 needs it first */');
    const pkginfo = await bsdtar(['-xOf', kernelPkg, '.PKGINFO']);
    expect(pkginfo).toContain(`builddate = ${BASELINE_TIME}`);
    expect(first.sourceDateEpoch).toBe(BASELINE_TIME);
    // The headers package links with relative targets (ln -sr).
    const listing = await bsdtar(['-tvf', first.packages[1]!.file, 'usr/src/linux-fresnel']);
    expect(listing).toMatch(/usr\/src\/linux-fresnel -> \.\.\/lib\/modules\//);
    // Published: both packages in the repository database.
    const db = await bsdtar(['-tf', first.repoDb]);
    expect(db).toMatch(/^linux-fresnel-6\.9\.0-1\/desc$/m);
    expect(db).toMatch(/^linux-fresnel-headers-6\.9\.0-1\/desc$/m);
    // makepkg's output reached the job log, line by line.
    expect(lines.some((l) => l.includes('Finished making: linux-fresnel'))).toBe(true);
  });

  it('runs makepkg as an unprivileged user when root', async () => {
    const owner = (await stat(first.packages[0]!.file)).uid;
    if (isRoot()) expect(owner).not.toBe(0);
    else expect(owner).toBe(process.getuid!());
  });

  it('resumes at the first unfinished step, and two builds of the same promote are byte-identical', async () => {
    const again = await buildKernel({ workspace: ws.workspace, host: HOST }, ctx);
    expect(again.ran).toEqual([]);
    expect(again.skipped).toEqual(['promote', 'render', 'makepkg', 'sign', 'publish']);

    // One build per host: a lock held by a live process refuses, a stale one (its process gone) is taken over.
    const lock = join(ws.workspace, 'out', HOST, 'build.lock');
    await writeFile(lock, `${process.pid}\n`);
    expect((await failure(buildKernel({ workspace: ws.workspace, host: HOST }, ctx))).code).toBe(
      'KERNEL_BUILD_BUSY',
    );
    const gone = execa('true');
    await gone;
    await writeFile(lock, `${gone.pid}\n`);
    expect((await buildKernel({ workspace: ws.workspace, host: HOST }, ctx)).ran).toEqual([]);
    await expect(readFile(lock)).rejects.toThrow(/ENOENT/); // released

    // A checkpoint whose file is gone is not trusted: the patch is promoted again, the rest stands.
    await rm(first.promote.patch);
    const repromoted = await buildKernel({ workspace: ws.workspace, host: HOST }, ctx);
    expect(repromoted.ran).toEqual(['promote']);
    expect(
      createHash('blake2b512')
        .update(await readFile(first.promote.patch))
        .digest('hex'),
    ).toBe(first.promote.b2sum);

    // A crash after render: the state has no packages; the next run redoes makepkg from a clean folder.
    const statePath = join(ws.workspace, 'out', HOST, 'build-state.json');
    const state = JSON.parse(await readFile(statePath, 'utf8')) as Record<string, unknown>;
    delete state['packages'];
    delete state['published'];
    await writeFile(statePath, JSON.stringify(state));
    await rm(first.packages[0]!.file);
    await new Promise((r) => setTimeout(r, 1100)); // another second on the clock: builddate must not follow it
    const resumed = await buildKernel({ workspace: ws.workspace, host: HOST }, ctx);
    expect(resumed.ran).toEqual(['makepkg', 'publish']);
    const shas = await Promise.all(resumed.packages.map((p) => sha256(p.file)));
    expect(shas).toEqual(first.packages.map((p) => p.sha256));

    // From scratch (no state, no build folder): the same bytes again.
    await rm(statePath);
    await rm(buildDirOf(ws.workspace, HOST), { recursive: true });
    const fresh = await buildKernel({ workspace: ws.workspace, host: HOST }, ctx);
    expect(fresh.ran).toEqual(['promote', 'render', 'makepkg', 'publish']);
    expect(fresh.packages.map((p) => p.sha256)).toEqual(first.packages.map((p) => p.sha256));
  });

  it('starts over when an input changes, and a failing makepkg keeps its log and shows its tail', async () => {
    // The host's template becomes one whose build() fails: a new key, so the pipeline must start over (the
    // packages of the earlier build are not reused) and makepkg must run, and fail.
    const stand = await readFile(join(ws.workspace, 'templates', 'PKGBUILD.stand-in.in'), 'utf8');
    await writeFile(
      join(ws.workspace, 'templates', 'PKGBUILD.failing.in'),
      stand.replace('[[ -e FAIL_BUILD ]]', 'true'),
    );
    const yaml = await readFile(join(ws.workspace, 'fleet', `${HOST}.yaml`), 'utf8');
    await ws.writeManifest(HOST, { template: 'templates/PKGBUILD.failing.in' });
    try {
      const err = await failure(buildKernel({ workspace: ws.workspace, host: HOST }, ctx));
      expect(err.code).toBe('KERNEL_BUILD_FAILED');
      expect(err.detail).toMatch(/^makepkg exited \d+ in build\(\); log kept at /);
      const log = /log kept at (\S+\.log)/.exec(err.detail ?? '')?.[1];
      expect(await readFile(log!, 'utf8')).toContain('failing on purpose');
      expect(err.detail).toContain('stand-in: FAIL_BUILD is present, failing on purpose');
    } finally {
      await ws.writeManifest(HOST, yaml);
    }
  });

  it('a template makepkg cannot read is refused at --printsrcinfo, before any build', async () => {
    await writeFile(
      join(ws.workspace, 'templates', 'PKGBUILD.broken.in'),
      'pkgbase=@PKGBASE@\npkgname=(\nbuild() {\n',
    );
    await ws.writeManifest('broken', { template: 'templates/PKGBUILD.broken.in' });
    const err = await failure(buildKernel({ workspace: ws.workspace, host: 'broken' }, ctx));
    expect(err.code).toBe('KERNEL_TEMPLATE_INVALID');
    expect(err.detail).toMatch(/printsrcinfo failed/);
  });

  it('signs a package with the configured key (a throwaway GNUPGHOME), and the signature verifies', async () => {
    const gnupg = join(root, 'gnupg');
    await mkdir(gnupg, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: gnupg };
    const uid = 'kernel-test@example.invalid';
    await execa(
      'gpg',
      [
        '--batch',
        '--passphrase',
        '',
        '--quick-gen-key',
        `Kintsugi Test <${uid}>`,
        'ed25519',
        'sign',
        'never',
      ],
      { env },
    );
    const saved = process.env['GNUPGHOME'];
    process.env['GNUPGHOME'] = gnupg;
    try {
      const pkg = join(root, 'signed.pkg.tar.zst');
      await writeFile(pkg, await readFile(join(root, 'first.pkg.tar.zst')));
      const sig = await signFile(pkg, uid);
      expect(sig).toBe(`${pkg}.sig`);
      await execa('gpg', ['--verify', sig, pkg], { env });
      await writeFile(pkg, 'tampered');
      await expect(execa('gpg', ['--verify', sig, pkg], { env })).rejects.toThrow();
      expect((await failure(signFile(pkg, 'nobody-has-this@example.invalid'))).code).toBe(
        'KERNEL_SIGN_FAILED',
      );
    } finally {
      if (saved === undefined) delete process.env['GNUPGHOME'];
      else process.env['GNUPGHOME'] = saved;
    }
  });
});

describe('the shipped template (templates/kernel/PKGBUILD.in)', () => {
  it('renders with the per-arch image name (Image on aarch64, vmlinuz on x86_64) and passes makepkg --printsrcinfo', async () => {
    const template = await readFile(resolve('templates/kernel/PKGBUILD.in'), 'utf8');
    for (const [arch, image, check] of [
      ['aarch64', 'Image', true],
      ['x86_64', 'vmlinuz', false], // makepkg's check once is enough (it takes seconds here)
    ] as const) {
      const m = { ...(await loadHostManifest(ws.workspace, HOST)), arch };
      const dir = join(root, `shipped-${arch}`);
      await mkdir(join(dir, 'home'), { recursive: true });
      const values = placeholders(m, {
        baselineCommit: 'c'.repeat(40),
        patch: 'linux-fresnel-6.9.0.patch',
        sources: [
          { name: 'linux-v6.9.tar', b2sum: 'a'.repeat(128) },
          { name: 'linux-fresnel-6.9.0.patch', b2sum: 'b'.repeat(128) },
        ],
      });
      const text = renderTemplate(template, values, 'PKGBUILD.in');
      expect(text).toContain(`_kinstall=${image}\n`);
      if (!check) continue;
      await writeFile(join(dir, 'PKGBUILD'), text);
      await writeFile(join(dir, 'makepkg.conf'), makepkgConf(arch));
      if (isRoot()) await execa('chown', ['-R', 'nobody', dir]);
      const srcinfo = await printSrcinfo({
        buildDir: dir,
        sourceDateEpoch: 0,
        asUser: isRoot() ? 'nobody' : undefined,
      });
      expect(srcinfo).toMatch(/^pkgname = linux-fresnel$/m);
      expect(srcinfo).toMatch(/^pkgname = linux-fresnel-headers$/m);
      expect(srcinfo).toContain(`\tarch = ${arch}\n`);
    }
  });
});

describe('kernel build, package.kind: deb (stand-in script, real dpkg-deb)', () => {
  it('builds a .deb of the patched tree, publishes it with dpkg-scanpackages, and rebuilds it byte-identical', async () => {
    await ws.writeManifest('fresnel-deb', { kind: 'deb', template: 'templates/build.stand-in.sh.in' });
    const r = await buildKernel({ workspace: ws.workspace, host: 'fresnel-deb' }, ctx);
    expect(r.kind).toBe('deb');
    expect(r.ran).toEqual(['promote', 'render', 'dpkg-deb', 'publish']);
    expect(r.packages.map((p) => p.file.split('/').at(-1))).toEqual(['linux-fresnel_6.9.0-1_arm64.deb']);
    const deb = r.packages[0]!.file;
    const info = (await execa('dpkg-deb', ['--field', deb, 'Package', 'Version', 'Architecture'])).stdout;
    expect(info).toBe('Package: linux-fresnel\nVersion: 6.9.0-1\nArchitecture: arm64');
    const image = (
      await execa('dpkg-deb', ['--fsys-tarfile', deb]).pipe('tar', ['-xO', './boot/Image-linux-fresnel'])
    ).stdout;
    expect(image).toContain('bes_quirks();');
    expect(await readFile(join(r.repoDir, 'Packages'), 'utf8')).toMatch(
      /^Package: linux-fresnel\nVersion: 6\.9\.0-1$/m,
    );
    expect(r.repoDb).toBe(join(r.repoDir, 'Packages'));

    await rm(join(ws.workspace, 'out', 'fresnel-deb', 'build-state.json'));
    await new Promise((res) => setTimeout(res, 1100)); // another second: nothing may follow the clock
    const again = await buildKernel({ workspace: ws.workspace, host: 'fresnel-deb' }, ctx);
    expect(again.packages.map((p) => p.sha256)).toEqual(r.packages.map((p) => p.sha256));
  });

  it('a failing build script keeps build.log and shows its tail; the shipped deb template gets as far as make', async () => {
    const stand = await readFile(join(ws.workspace, 'templates', 'build.stand-in.sh.in'), 'utf8');
    await writeFile(
      join(ws.workspace, 'templates', 'build.failing.sh.in'),
      stand.replace('[[ -e FAIL_BUILD ]]', 'true'),
    );
    await ws.writeManifest('deb-failing', { kind: 'deb', template: 'templates/build.failing.sh.in' });
    const err = await failure(buildKernel({ workspace: ws.workspace, host: 'deb-failing' }, ctx));
    expect(err.code).toBe('KERNEL_BUILD_FAILED');
    const log = /log kept at (\S+build\.log)/.exec(err.detail ?? '')?.[1];
    expect(await readFile(log!, 'utf8')).toContain('failing on purpose');
    expect(err.detail).toContain('stand-in: FAIL_BUILD is present, failing on purpose');

    // The shipped template (no `template:`) renders, passes bash -n, checks the b2sums, unpacks and applies the
    // patch; then the kernel's own `make olddefconfig` fails, as it must on the fixture tree (no kernel there).
    await ws.writeManifest('deb-shipped', { kind: 'deb', template: undefined });
    const shipped = await failure(buildKernel({ workspace: ws.workspace, host: 'deb-shipped' }, ctx));
    expect(shipped.code).toBe('KERNEL_BUILD_FAILED');
    expect(shipped.detail).toMatch(/patching file arch\/arm64\/boot\/dts\/fresnel\.dts[\s\S]*olddefconfig/);
    await writeFile(join(ws.workspace, 'templates', 'broken.sh.in'), 'if then fi (\n');
    await ws.writeManifest('deb-broken', { kind: 'deb', template: 'templates/broken.sh.in' });
    expect((await failure(buildKernel({ workspace: ws.workspace, host: 'deb-broken' }, ctx))).code).toBe(
      'KERNEL_TEMPLATE_INVALID',
    );
  });
});
