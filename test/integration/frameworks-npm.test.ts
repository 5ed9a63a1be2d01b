import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { installFramework } from '../../src/main/core/frameworks/install';
import { uninstallFramework } from '../../src/main/core/frameworks/uninstall';
import { quietContext, type JobContext } from '../../src/main/core/jobs/context';
import { runJob } from '../../src/main/core/jobs/run-job';
import { userFrameworksManifest } from '../../src/main/core/layers/data-layout';
import { assertCliBuilt } from '../helpers/cli';

// npm recipes with the real npm against the npm registry, into a temp prefix (never npm's own): the small,
// dependency-free `json` CLI, pinned. Then the same through the built `kintsugi-frameworks` bin, with the guide's
// own command lines.

const PKG = 'json@11.0.0';
let dir: string;
let prefix: string;

const logged = (): JobContext & { lines: string[] } => {
  const lines: string[] = [];
  return { ...quietContext(), log: (m) => void lines.push(m), lines };
};
const modules = async (p: string) => readdir(join(p, 'lib', 'node_modules')).catch(() => [] as string[]);
// PATH without the prefix: the check must find the binary in the prefix's bin folder itself.
const env = () => ({ ...(process.env as Record<string, string>), NPM_CONFIG_UPDATE_NOTIFIER: 'false' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-fw-npm-'));
  prefix = join(dir, 'prefix');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm recipe (real registry, temp prefix)', () => {
  it('installs into the prefix, streams npm output, verifies `json --version`, then uninstalls', async () => {
    const ctx = logged();
    const f = { name: 'json-cli', recipe: { npm: PKG }, binary: 'json' };
    const r = await installFramework(f, ctx, { env: env(), npmPrefix: prefix });
    expect(r.state).toMatchObject({
      installed: true,
      version: 'json 11.0.0',
      path: join(prefix, 'bin', 'json'),
    });
    expect(ctx.lines[0]).toBe(
      `$ npm install --global --no-fund --no-audit --no-update-notifier --prefix ${prefix} ${PKG}`,
    );
    expect(ctx.lines.some((l) => /added 1 package/.test(l))).toBe(true);
    expect(await modules(prefix)).toContain('json');

    const u = await uninstallFramework(f, quietContext(), { env: env(), npmPrefix: prefix });
    expect(u.state.installed).toBe(false);
    expect(await modules(prefix)).not.toContain('json');
  });

  it("on a metered network the install job downloads nothing without the person's yes, and installs with it", async () => {
    const own = join(dir, 'metered-prefix');
    const req = (allowMetered: boolean) =>
      ({
        type: 'framework-install',
        params: {
          name: 'json-cli',
          recipe: { npm: PKG },
          binary: 'json',
          npmPrefix: own,
          allowMetered,
          meteredSetting: 'yes',
        },
      }) as const;
    await expect(runJob(req(false), quietContext())).rejects.toMatchObject({
      code: 'NETWORK_METERED',
      detail: expect.stringContaining('Installing json-cli downloads'),
    });
    expect(await modules(own)).toEqual([]);
    const r = (await runJob(req(true), quietContext())) as { state: { installed: boolean } };
    expect(r.state.installed).toBe(true);
    expect(await modules(own)).toContain('json');
  });

  it('takes NPM_CONFIG_PREFIX when no setting names a prefix', async () => {
    const own = join(dir, 'env-prefix');
    const r = await installFramework(
      { name: 'json-cli', recipe: { npm: PKG }, binary: 'json' },
      quietContext(),
      { env: { ...env(), NPM_CONFIG_PREFIX: own } },
    );
    expect(r.state.path).toBe(join(own, 'bin', 'json'));
  });

  it('a recipe that installs but whose binary never answers fails at "verify" and is rolled back', async () => {
    const p = join(dir, 'half');
    const err = await installFramework(
      { name: 'json-cli', recipe: { npm: PKG }, binary: 'json-not-there' },
      quietContext(),
      { env: env(), npmPrefix: p },
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('FRAMEWORK_INSTALL_FAILED');
    expect((err as KintsugiError).detail).toMatch(
      /^json-cli: step "verify" failed: npm finished, but json-not-there not found .*; rolled back: nothing of it is left installed$/,
    );
    expect(await modules(p)).not.toContain('json');
    expect(await stat(join(p, 'bin', 'json')).catch(() => null)).toBeNull();
  });

  it('a package the registry does not have fails at "install", with npm\'s own words', async () => {
    const err = await installFramework(
      { name: 'nope', recipe: { npm: 'kintsugi-no-such-package-zz9@0.0.1' }, binary: 'nope' },
      quietContext(),
      { env: env(), npmPrefix: join(dir, 'nope') },
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('FRAMEWORK_INSTALL_FAILED');
    expect((err as KintsugiError).detail).toMatch(
      /step "install" failed: `npm install .*` said: .*(404|E404)/,
    );
  });
});

describe("kintsugi-frameworks (the guide's command lines)", () => {
  const bin = join(process.cwd(), 'bin', 'kintsugi-frameworks.js');
  let data: string;
  let run: (args: string[]) => ReturnType<typeof execa>;

  beforeAll(async () => {
    await assertCliBuilt();
    data = join(dir, 'data');
    const cliPrefix = join(dir, 'cli-prefix');
    await mkdir(join(data, 'frameworks', 'user'), { recursive: true });
    await writeFile(
      userFrameworksManifest(data),
      [
        'frameworks:',
        '  - name: json-cli',
        '    status: recommended',
        `    recipe: { npm: "${PKG}" }`,
        '    binary: json',
        '    sign_in: "Nothing to sign in to: run `json --help`."',
      ].join('\n') + '\n',
    );
    run = (args) =>
      execa(process.execPath, [bin, ...args, '--data-root', data, '--state-dir', join(dir, 'state')], {
        reject: false,
        stdin: 'ignore',
        timeout: 120_000,
        env: {
          ...env(),
          NPM_CONFIG_PREFIX: cliPrefix,
          PATH: `${join(cliPrefix, 'bin')}:${process.env['PATH']}`,
        },
      });
  });

  it('install refuses a user entry without --yes, installs with it and shows the sign-in step', async () => {
    const refused = await run(['install', 'json-cli']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/CONFIRMATION_REQUIRED[\s\S]*json-cli is from your own manifest/);

    const ok = await run(['install', 'json-cli', '--yes']);
    expect(String(ok.stderr) + String(ok.stdout)).toMatch(/Installed json-cli: json 11\.0\.0/);
    expect(ok.stdout).toContain('Next: Nothing to sign in to: run `json --help`.');
    expect(ok.exitCode).toBe(0);
  });

  it('list --installed and verify print the installed one; verify --all says NOT INSTALLED and exits 1', async () => {
    const installed = await run(['list', '--installed', '--json']);
    const names = (
      JSON.parse(String(installed.stdout)) as { result: { entries: { entry: { name: string } }[] } }
    ).result.entries.map((e) => e.entry.name);
    expect(names).toEqual(['json-cli']);

    const one = await run(['verify', 'json-cli']);
    expect(one.stdout).toMatch(/^OK {13}json-cli {2}json 11\.0\.0$/m);
    expect(one.exitCode).toBe(0);

    const all = await run(['verify', '--all']);
    expect(all.stdout).toMatch(/^OK +json-cli/m);
    expect(all.stdout).toMatch(/^NOT INSTALLED +claude-code +claude not found/m);
    expect(all.exitCode).toBe(1);
  });

  it('refuses a name with shell or path characters as a bad argument (exit 2), and an unknown name (exit 1)', async () => {
    for (const name of ['a;b', '$(id)', 'two words', '../etc']) {
      const r = await run(['install', name]);
      expect(r.exitCode, name).toBe(2);
      expect(r.stderr).toMatch(/INVALID_ARGUMENT[\s\S]*framework name/);
    }
    const unknown = await run(['install', 'no-such-fw']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(
      /FRAMEWORK_NOT_FOUND[\s\S]*no framework named no-such-fw \(known: aider, claude-code/,
    );
  });

  it('uninstall removes it; verify then says NOT INSTALLED', async () => {
    const u = await run(['uninstall', 'json-cli']);
    expect(u.exitCode).toBe(0);
    const v = await run(['verify', 'json-cli', '--json']);
    expect(JSON.parse(String(v.stdout)).result.frameworks[0]).toMatchObject({ name: 'json-cli', ok: false });
    expect(v.exitCode).toBe(1);
  });
});
