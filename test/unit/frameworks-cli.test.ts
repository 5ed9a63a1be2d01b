import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobRequest } from '../../src/shared/registry';
import type { CliIo } from '../../src/main/cli/io';
import { main } from '../../src/main/cli/main';
import { userFrameworksManifest } from '../../src/main/core/layers/data-layout';

// `kintsugi frameworks ...` in-process: the grammar, the root rule for system packages, the job built from the
// catalog. Jobs are answered by a recording stand-in executor; the built bin runs real npm in
// test/integration/frameworks-npm.test.ts.

const dir = mkdtempSync(join(tmpdir(), 'kintsugi-fw-cli-'));
const data = join(dir, 'data');
mkdirSync(join(data, 'frameworks', 'user'), { recursive: true });
writeFileSync(
  userFrameworksManifest(data),
  'frameworks:\n  - name: my-apt-fw\n    recipe: { apt: "my-fw" }\n    binary: my-fw\n    sign_in: "Run my-fw login."\n',
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(uid: number) {
  const calls: JobRequest[] = [];
  const o = { out: '', err: '', calls };
  const cli: CliIo = {
    stdout: { write: (s: string) => (o.out += s) },
    stderr: { write: (s: string) => (o.err += s) },
    stdinIsTTY: false,
    readLine: async () => null,
    signal: new AbortController().signal,
    getuid: () => uid,
    cwd: dir,
    env: { XDG_STATE_HOME: join(dir, 'state') },
    executor: {
      run: async (req) => {
        calls.push(req);
        return {
          name: (req.params as { name: string }).name,
          state: { installed: true, version: 'my-fw 1.0' },
        };
      },
    },
  };
  return { o, cli };
}
const run = async (argv: string[], uid = 0) => {
  const { o, cli } = io(uid);
  const code = await main([...argv, '--data-root', data], cli);
  return { code, ...o };
};

describe('kintsugi frameworks', () => {
  it('installs a system-package framework only as root, and then shows its sign-in step', async () => {
    const user = await run(['frameworks', 'install', 'my-apt-fw', '--yes'], 1000);
    expect(user.code).toBe(1);
    expect(user.err).toMatch(/NEEDS_ROOT[\s\S]*sudo kintsugi frameworks install my-apt-fw/);
    expect(user.calls).toEqual([]);

    const root = await run(['frameworks', 'install', 'my-apt-fw', '--yes'], 0);
    expect(root.code).toBe(0);
    expect(root.calls).toEqual([
      {
        type: 'framework-install-system',
        params: {
          name: 'my-apt-fw',
          recipe: { apt: 'my-fw' },
          binary: 'my-fw',
          allowMetered: false,
          meteredSetting: 'auto',
        },
      },
    ]);
    expect(root.out).toBe('Installed my-apt-fw: my-fw 1.0\nNext: Run my-fw login.\n');
  });

  it('bad arguments exit 2 with the usage: a missing name, an option of another subcommand, -y short form works', async () => {
    expect((await run(['frameworks', 'install'])).code).toBe(2);
    const wrong = await run(['frameworks', 'list', '--yes']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/--yes does not apply to frameworks list/);
    const short = await run(['frameworks', 'install', 'my-apt-fw', '-y']);
    expect(short.code).toBe(0);
  });

  it('`frameworks` alone lists; --json gives the catalog with the problems', async () => {
    const r = await run(['frameworks', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out).result as {
      entries: { entry: { name: string } }[];
      problems: unknown[];
    };
    expect(result.entries.map((e) => e.entry.name)).toContain('my-apt-fw');
    expect(result.problems).toEqual([]);
  });
});
