import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cliRunner } from '../helpers/cli';
import { HOST, makeKernelWorkspace, type KernelWorkspace } from '../helpers/kernel-workspace';

// The built CLI as processes: `ka-promote` / `ka-build` (package.json bins) and `kintsugi kernel ...`, with
// --workspace and --json. Two promote processes under another TZ, locale and global git config write the same
// bytes; exit codes follow the CLI's rule (0 ok, 1 failed, 2 bad arguments).

const KA_PROMOTE = resolve('bin/ka-promote.js');
const KA_BUILD = resolve('bin/ka-build.js');
let root: string;
let ws: KernelWorkspace;
const { cli, env } = cliRunner(() => root);
const node = (bin: string, args: string[], extra: Record<string, string> = {}) =>
  execa(process.execPath, [bin, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
    env: { ...env(), ...extra },
  });
const json = (stdout: string) =>
  JSON.parse(stdout) as { result?: Record<string, unknown>; error?: { code: string; detail?: string } };

beforeAll(async () => {
  await assertCliBuilt();
  root = await mkdtemp(join(tmpdir(), 'kintsugi-kernel-cli-'));
  ws = await makeKernelWorkspace(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('kernel CLI', () => {
  it('ka-promote: the same bytes from two processes under another TZ, LANG and global git config', async () => {
    const gitconfig = join(root, 'gitconfig');
    await writeFile(gitconfig, '[diff]\n\tnoprefix = true\n[core]\n\tabbrev = 14\n');
    const a = await node(
      KA_PROMOTE,
      [HOST, '--workspace', ws.workspace, '--out', join(root, 'a.patch'), '--json'],
      { TZ: 'UTC', LANG: 'C' },
    );
    const b = await node(
      KA_PROMOTE,
      [HOST, '--workspace', ws.workspace, '--out', join(root, 'b.patch'), '--json'],
      {
        TZ: 'America/St_Johns',
        LANG: 'fr_FR.UTF-8',
        LC_ALL: 'fr_FR.UTF-8',
        GIT_CONFIG_GLOBAL: gitconfig,
      },
    );
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    expect((await readFile(join(root, 'a.patch'))).equals(await readFile(join(root, 'b.patch')))).toBe(true);
    const ra = json(a.stdout).result!;
    expect(ra['b2sum']).toBe(json(b.stdout).result!['b2sum']);
    const b2 = await execa('b2sum', [join(root, 'a.patch')]);
    expect(b2.stdout.split(' ')[0]).toBe(ra['b2sum']);
  });

  it('kernel promote --check-against: exit 1 with KERNEL_PARITY_MISMATCH on a different reference, 0 on the same', async () => {
    const same = await cli([
      'kernel',
      'promote',
      HOST,
      '--workspace',
      ws.workspace,
      '--out',
      join(root, 'c.patch'),
      '--check-against',
      join(root, 'a.patch'),
      '--json',
    ]);
    expect(same.exitCode, String(same.stderr)).toBe(0);
    expect(json(String(same.stdout)).result!['parity']).toBe('identical');
    const ref = await readFile(join(root, 'a.patch'), 'latin1');
    await writeFile(
      join(root, 'ref.patch'),
      ref.replace('Subject: dts: name the board', 'Subject: dts: name the boards'),
      'latin1',
    );
    const diff = await cli([
      'kernel',
      'promote',
      HOST,
      '--workspace',
      ws.workspace,
      '--out',
      join(root, 'd.patch'),
      '--check-against',
      join(root, 'ref.patch'),
      '--json',
    ]);
    expect(diff.exitCode).toBe(1);
    const err = json(String(diff.stdout)).error!;
    expect(err.code).toBe('KERNEL_PARITY_MISMATCH');
    expect(err.detail).toContain('theirs: "Subject: dts: name the boards"');
  });

  it('hosts, show, and bad arguments (exit 2)', async () => {
    const hosts = await cli(['kernel', 'hosts', '--workspace', ws.workspace, '--json']);
    expect(json(String(hosts.stdout)).result).toEqual({ workspace: ws.workspace, hosts: [HOST] });
    const show = await cli(['kernel', 'show', HOST, '--workspace', ws.workspace]);
    expect(String(show.stdout)).toContain('apply order: soc, driver, board');
    for (const bad of ['../fleet/x', 'a;b', '-x'])
      expect((await cli(['kernel', 'show', '--workspace', ws.workspace, '--', bad])).exitCode, bad).toBe(2);
    const noWorkspace = await cli(['kernel', 'hosts', '--json', '--state-dir', join(root, 'st')]);
    expect(noWorkspace.exitCode).toBe(2);
  });

  it('ka-build HOST --out DIR publishes the packages into DIR', async () => {
    const repo = join(root, 'repo');
    const r = await node(KA_BUILD, [HOST, '--workspace', ws.workspace, '--out', repo, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const res = json(r.stdout).result!;
    expect(res['repoDb']).toBe(join(repo, 'kintsugi-kernel.db.tar.gz'));
    const listing = (await execa('bsdtar', ['-tf', join(repo, 'kintsugi-kernel.db.tar.gz')])).stdout;
    expect(listing).toMatch(/^linux-fresnel-6\.9\.0-1\/desc$/m);
  });
});
