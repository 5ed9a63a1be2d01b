import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { installFramework } from '../../src/main/core/frameworks/install';
import { uninstallFramework } from '../../src/main/core/frameworks/uninstall';
import type { FrameworkTools } from '../../src/main/core/frameworks/tools';
import { quietContext, type JobContext } from '../../src/main/core/jobs/context';
import { buildPythonSdist } from '../helpers/python-package';

// pipx recipes with the real pipx (Debian's `pipx`, which scripts/install-test-deps.sh installs) and packages built
// in the test: PyPI is not reachable, so pip is pointed at a local folder (PIP_FIND_LINKS, PIP_NO_INDEX) and
// pipx's home and bin dir are temp folders. The recipe's command line is the production one: `pipx install NAME`.

let dir: string;
let tools: FrameworkTools;
const logged = (): JobContext & { lines: string[] } => {
  const lines: string[] = [];
  return { ...quietContext(), log: (m) => void lines.push(m), lines };
};
const venvs = async () => readdir(join(dir, 'pipx-home', 'venvs')).catch(() => [] as string[]);

beforeAll(async () => {
  const found = await execa('pipx', ['--version'], { reject: false });
  if (found.exitCode !== 0)
    throw new Error('pipx is not installed: run scripts/install-test-deps.sh (Debian package pipx)');
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-fw-pipx-'));
  await buildPythonSdist(dir, { name: 'kintsugi-hello', version: '1.0.0', script: 'kintsugi-hello' });
  await buildPythonSdist(dir, {
    name: 'kintsugi-broken',
    version: '1.0.0',
    script: 'kintsugi-broken',
    versionExit: 3,
  });
  tools = {
    env: {
      ...(process.env as Record<string, string>),
      PIPX_HOME: join(dir, 'pipx-home'),
      PIPX_BIN_DIR: join(dir, 'pipx-bin'),
      PIP_NO_INDEX: '1',
      PIP_FIND_LINKS: join(dir, 'dist'),
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    },
  };
}, 180_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pipx recipe (real pipx, local package)', () => {
  it('installs into its own venv, links the command into PIPX_BIN_DIR, verifies --version, uninstalls', async () => {
    const ctx = logged();
    const f = { name: 'hello', recipe: { pipx: 'kintsugi-hello==1.0.0' }, binary: 'kintsugi-hello' };
    const r = await installFramework(f, ctx, tools);
    expect(r.state).toMatchObject({
      installed: true,
      version: 'kintsugi-hello 1.0.0',
      path: join(dir, 'pipx-bin', 'kintsugi-hello'),
    });
    expect(ctx.lines).toContain('$ pipx install kintsugi-hello==1.0.0');
    expect(ctx.lines.some((l) => /installed package kintsugi-hello 1\.0\.0/.test(l))).toBe(true);
    expect(await venvs()).toContain('kintsugi-hello');

    const u = await uninstallFramework(f, quietContext(), tools);
    expect(u.state.installed).toBe(false);
    expect(await venvs()).not.toContain('kintsugi-hello');
  });

  it('a command that fails --version fails the install at "verify" and pipx\'s venv is removed again', async () => {
    const err = await installFramework(
      { name: 'broken', recipe: { pipx: 'kintsugi-broken' }, binary: 'kintsugi-broken' },
      quietContext(),
      tools,
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('FRAMEWORK_INSTALL_FAILED');
    expect((err as KintsugiError).detail).toMatch(
      /step "verify" failed: pipx finished, but .*kintsugi-broken --version failed \(exit 3\); rolled back: nothing of it is left installed/,
    );
    expect(await venvs()).not.toContain('kintsugi-broken');
  });

  it('a package pip cannot find fails at "install"', async () => {
    const err = await installFramework(
      { name: 'missing', recipe: { pipx: 'kintsugi-not-built' }, binary: 'kintsugi-not-built' },
      quietContext(),
      tools,
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('FRAMEWORK_INSTALL_FAILED');
    expect((err as KintsugiError).detail).toMatch(/step "install" failed: `pipx install kintsugi-not-built`/);
  });
});
