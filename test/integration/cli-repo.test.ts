import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cliRunner } from '../helpers/cli';
import { g, makeToolkitRemote, type ToolkitRemote } from '../helpers/git-fixture';

// `kintsugi repo ...` as a process (the built CLI): the grammar, --json results and error codes, exit statuses,
// and the settings it reads (metered), over a real bare remote in a temp folder.

let root: string;
let remote: ToolkitRemote;
const { cli, env } = cliRunner(() => root);
const data = () => join(root, 'data');
const repo = (args: string[], extraEnv: Record<string, string> = {}) =>
  cli(['repo', ...args, '--json', '--data-root', data()], {
    env: { ...env(), PATH: process.env['PATH']!, ...extraEnv },
  });
const json = (stdout: unknown) =>
  JSON.parse(String(stdout)) as { result?: any; error?: { code: string; detail?: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  await assertCliBuilt();
  root = await mkdtemp(join(tmpdir(), 'kintsugi-cli-repo-'));
  remote = await makeToolkitRemote(root);
  await remote.commit(
    'scripts v1',
    { 'scripts/usb-toolkit/kt-hello': '#!/bin/sh\necho v1\n' },
    {
      executable: ['scripts/usb-toolkit/kt-hello'],
    },
  );
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('kintsugi repo', () => {
  it('status of a missing clone says so and exits 1', async () => {
    const r = await repo(['status']);
    expect(r.exitCode).toBe(1);
    expect(json(r.stdout).result).toMatchObject({ cloned: false });
  });

  it('a metered network (from the settings) stops a clone without a terminal; --allow-metered goes ahead', async () => {
    await mkdir(join(root, 'state', 'kintsugi'), { recursive: true });
    await writeFile(join(root, 'state', 'kintsugi', 'settings.json'), JSON.stringify({ metered: 'yes' }));
    const refused = await repo(['clone', '--remote', remote.bare]);
    expect(refused.exitCode).toBe(1);
    expect(json(refused.stdout).error?.code).toBe('NETWORK_METERED');
    const ok = await repo(['clone', '--remote', remote.bare, '--allow-metered']);
    expect(ok.exitCode).toBe(0);
    expect(json(ok.stdout).result.cloneDir).toBe(join(data(), 'repo', 'kintsugi-usb'));
    await writeFile(join(root, 'state', 'kintsugi', 'settings.json'), JSON.stringify({ metered: 'no' }));
  });

  it('check lists what a pull brings; a divergence exits 1 with REPO_DIVERGED and moves nothing', async () => {
    await remote.commit('docs v2', { 'docs/a.md': 'a\n' });
    const check = await repo(['check']);
    expect(check.exitCode).toBe(0);
    expect(json(check.stdout).result).toMatchObject({ behind: 1, incoming: [{ subject: 'docs v2' }] });

    const clone = join(data(), 'repo', 'kintsugi-usb');
    await writeFile(join(clone, 'mine.md'), 'x\n');
    await g(clone, ['add', 'mine.md']);
    await g(clone, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'mine']);
    const before = await g(clone, ['rev-parse', 'HEAD']);
    const r = await repo(['pull']);
    expect(r.exitCode).toBe(1);
    expect(json(r.stdout).error).toMatchObject({ code: 'REPO_DIVERGED' });
    expect(await g(clone, ['rev-parse', 'HEAD'])).toBe(before);
    const moved = await repo(['pull', '--move-local-to', 'my-work']);
    expect(json(moved.stdout).result).toMatchObject({ movedLocalTo: 'my-work', commits: 1 });
  });

  it('link into a bin folder on PATH exits 0; a shadowing file earlier on PATH makes status exit 1', async () => {
    const bin = join(root, 'bin');
    const early = join(root, 'early');
    await mkdir(bin);
    await mkdir(early);
    const linked = await repo(['link', '--bin-dir', bin], { PATH: `${bin}:/usr/bin:/bin` });
    expect(linked.exitCode).toBe(0);
    expect(json(linked.stdout).result).toMatchObject({ linked: ['kt-hello'], mode: 'symlink' });
    await writeFile(join(early, 'kt-hello'), '#!/bin/sh\necho stale\n', { mode: 0o755 });
    await writeFile(
      join(root, 'state', 'kintsugi', 'settings.json'),
      JSON.stringify({ metered: 'no', binDir: bin }),
    );
    const st = await repo(['status'], { PATH: `${early}:${bin}:/usr/bin:/bin` });
    expect(st.exitCode).toBe(1);
    expect(json(st.stdout).result.scripts[0].problem).toMatch(/early\/kt-hello comes first on PATH/);
  });

  it('refuses a bad tag and a bad rollback ref as bad arguments (exit 2)', async () => {
    expect((await repo(['pin', '--', '--upload-pack=evil'])).exitCode).toBe(2);
    expect((await repo(['rollback', 'HEAD~1'])).exitCode).toBe(2);
    const list = await repo(['rollback']);
    expect(json(list.stdout).result[0]).toMatchObject({ selector: 'HEAD@{0}' });
  });
});
