import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { quietContext } from '../../src/main/core/jobs/context';
import { loadHostManifest } from '../../src/main/core/kernel/fleet-manifest';
import { promote } from '../../src/main/core/kernel/promote';
import {
  DEFAULT_SERIES,
  HOST,
  g,
  makeKernelWorkspace,
  type KernelWorkspace,
} from '../helpers/kernel-workspace';

// promote against real git repositories (test/helpers/kernel-workspace.ts): determinism under another locale,
// time zone and git config, the order rules (series depend on each other across series), the apply check on the
// baseline without a checkout, --check-against, and bad input.

let root: string;
let ws: KernelWorkspace;
const ctx = quietContext();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kintsugi-kernel-promote-'));
  ws = await makeKernelWorkspace(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The KintsugiError a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<KintsugiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KintsugiError);
  return err as KintsugiError;
}

const out = (name: string) => join(root, name);

describe('promote', () => {
  it('concatenates the series in apply_order, series name and file name order, and writes a b2sum that b2sum agrees with', async () => {
    const r = await promote({ workspace: ws.workspace, host: HOST, out: out('a.patch') }, ctx);
    // soc before driver before board (apply_order), bes2600 before bes2600-quirks, 0001 before 0002.
    expect(r.patches.map((p) => p.split('/').slice(0, 2).join('/'))).toEqual(
      DEFAULT_SERIES.map((s) => s.series),
    );
    expect(r.patches[1]).toMatch(/^driver\/bes2600\/0001-/);
    expect(r.patches[2]).toMatch(/^driver\/bes2600\/0002-/);
    const b2 = await readFile(out('a.patch.b2'), 'utf8');
    expect(b2).toBe(`${r.b2sum}  a.patch\n`);
    const coreutils = await execa('b2sum', ['a.patch'], { cwd: root });
    expect(`${coreutils.stdout}\n`).toBe(b2);
    expect(r.baseline.commit).toBe(await g(ws.baseline, ['rev-parse', 'v6.9^{commit}']));
    // The promoted patch applies with plain patch(1) on a checkout of the baseline, as the PKGBUILD applies it.
    const tree = join(root, 'tree');
    await g(ws.baseline, ['worktree', 'add', '--quiet', '--detach', tree, 'v6.9']);
    await execa('patch', ['-Np1', '-i', out('a.patch')], { cwd: tree });
    expect(await readFile(join(tree, 'drivers/net/wireless/bes2600/main.c'), 'utf8')).toContain(
      'bes_quirks();',
    );
  });

  it("gives the same bytes under another TZ, locale and git config (global and the repositories' own)", async () => {
    const first = await promote({ workspace: ws.workspace, host: HOST, out: out('det1.patch') }, ctx);
    const home = join(root, 'home');
    await execa('mkdir', ['-p', home]);
    await writeFile(
      join(home, '.gitconfig'),
      '[diff]\n\tnoprefix = true\n[core]\n\tabbrev = 12\n[apply]\n\twhitespace = fix\n',
    );
    const saved = { ...process.env };
    for (const repo of [ws.baseline, ws.workspace]) {
      await g(repo, ['config', 'diff.noprefix', 'true']);
      await g(repo, ['config', 'core.abbrev', '16']);
      await g(repo, ['config', 'apply.whitespace', 'error']);
    }
    Object.assign(process.env, {
      TZ: 'Pacific/Chatham',
      LANG: 'de_DE.UTF-8',
      LC_ALL: 'de_DE.UTF-8',
      HOME: home,
      GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    });
    try {
      const second = await promote({ workspace: ws.workspace, host: HOST, out: out('det2.patch') }, ctx);
      expect(second.b2sum).toBe(first.b2sum);
      expect((await readFile(out('det2.patch'))).equals(await readFile(out('det1.patch')))).toBe(true);
    } finally {
      process.env = saved;
      for (const repo of [ws.baseline, ws.workspace])
        for (const k of ['diff.noprefix', 'core.abbrev', 'apply.whitespace'])
          await g(repo, ['config', '--unset', k]);
    }
  });

  it('gives the same bytes when the series are committed and exported again (other shas and dates, git config, tags, signature)', async () => {
    const before = await readFile(
      (await promote({ workspace: ws.workspace, host: HOST, out: out('exp1.patch') }, ctx)).patch,
    );
    const socPatch = join(ws.workspace, 'patches', 'soc/sm8250-fixes', '0001-clk-enable-the-fix.patch');
    const socBefore = await readFile(socPatch, 'utf8');
    await ws.exportSeries({
      config: ['core.abbrev=12', 'format.signature=kintsugi-test 9.9', 'diff.statGraphWidth=20'],
      env: { TZ: 'Asia/Kathmandu' },
      recommitAt: 1_720_000_000,
      extraArgs: ['--subject-prefix=RFC PATCH', '--add-header=X-Mailer: tests', '--zero-commit'],
    });
    try {
      const again = await readFile(
        (await promote({ workspace: ws.workspace, host: HOST, out: out('exp2.patch') }, ctx)).patch,
      );
      expect(again.equals(before)).toBe(true);
      // The export really differs (else the check above proves nothing).
      const soc = await readFile(socPatch, 'utf8');
      expect(soc).not.toBe(socBefore);
      expect(soc).toMatch(/^Subject: \[RFC PATCH\]/m);
      expect(soc).toMatch(/^index [0-9a-f]{12}\.\./m);
      expect(soc).toContain('kintsugi-test 9.9');
      expect(soc.match(/^Date: .*$/m)![0]).not.toBe(socBefore.match(/^Date: .*$/m)![0]);
    } finally {
      await ws.exportSeries();
    }
  });

  it('fails when apply_order puts driver before soc, naming the file, the hunk and the series patch', async () => {
    await ws.writeManifest('reordered', { apply_order: ['driver', 'soc', 'board'] });
    const err = await failure(
      promote({ workspace: ws.workspace, host: 'reordered', out: out('r.patch') }, ctx),
    );
    expect(err.code).toBe('KERNEL_PATCH_DOES_NOT_APPLY');
    const driverPatch = await readFile(
      join(ws.workspace, 'patches', 'driver/bes2600', '0001-bes2600-power-on-first.patch'),
      'utf8',
    );
    const clkHunk = /diff --git a\/soc\/sm8250\/clk\.c[\s\S]*?(@@ -\d+,\d+ \+\d+,\d+ @@)/.exec(
      driverPatch,
    )![1]!;
    expect(err.detail).toContain(
      `soc/sm8250/clk.c, hunk ${clkHunk} (from driver/bes2600/0001-bes2600-power-on-first.patch)`,
    );
    await expect(readFile(out('r.patch'))).rejects.toThrow(/ENOENT/); // nothing written on failure
  });

  it('fails on a patch that does not apply, and keeps the last good patch in place', async () => {
    const good = await promote({ workspace: ws.workspace, host: HOST, out: out('keep.patch') }, ctx);
    const file = join(ws.workspace, 'patches', 'board/fresnel-dts', '0001-dts-name-the-board.patch');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('-/ { model = "generic"; };', '-/ { model = "other"; };'));
    try {
      const err = await failure(
        promote({ workspace: ws.workspace, host: HOST, out: out('keep.patch') }, ctx),
      );
      expect(err.code).toBe('KERNEL_PATCH_DOES_NOT_APPLY');
      expect(err.detail).toMatch(
        /^arch\/arm64\/boot\/dts\/fresnel\.dts, hunk @@ -1,2 \+1,2 @@ \(from board\/fresnel-dts\/0001-dts-name-the-board\.patch\)/,
      );
      expect((await readFile(out('keep.patch.b2'), 'utf8')).split(' ')[0]).toBe(good.b2sum);
    } finally {
      await writeFile(file, original);
    }
  });

  it('--check-against: identical passes; a one-byte change is reported at its offset and line with both lines', async () => {
    const r = await promote({ workspace: ws.workspace, host: HOST, out: out('ref.patch') }, ctx);
    const ok = await promote(
      { workspace: ws.workspace, host: HOST, out: out('c1.patch'), checkAgainst: r.patch },
      ctx,
    );
    expect(ok.parity).toBe('identical');
    const bytes = await readFile(r.patch);
    const at = bytes.indexOf('bes_quirks();');
    const changed = Buffer.from(bytes);
    changed[at + 4] = 'Q'.charCodeAt(0);
    await writeFile(out('ref-changed.patch'), changed);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    const err = await failure(
      promote(
        { workspace: ws.workspace, host: HOST, out: out('c2.patch'), checkAgainst: out('ref-changed.patch') },
        ctx,
      ),
    );
    expect(err.code).toBe('KERNEL_PARITY_MISMATCH');
    expect(err.detail).toContain(`at byte ${at + 4}, line ${line}:`);
    expect(err.detail).toContain('ours:   "+\\tbes_quirks();"');
    expect(err.detail).toContain('theirs: "+\\tbes_Quirks();"');
  });
});

describe('promote: bad input', () => {
  it('a series that does not exist', async () => {
    await ws.writeManifest('ghost', { includes: ['soc/sm8250-fixes', 'driver/no-such-series'] });
    const err = await failure(promote({ workspace: ws.workspace, host: 'ghost' }, ctx));
    expect(err.code).toBe('KERNEL_SERIES_NOT_FOUND');
    expect(err.detail).toContain('driver/no-such-series');
  });

  it('an unknown scope in apply_order, at its file:line:column', async () => {
    const file = await ws.writeManifest('badscope', { apply_order: ['soc', 'drivers', 'board'] });
    const err = await failure(loadHostManifest(ws.workspace, 'badscope'));
    expect(err.code).toBe('KERNEL_MANIFEST_INVALID');
    const line =
      ws
        .manifestYaml({ host: 'badscope', apply_order: ['soc', 'drivers', 'board'] })
        .split('\n')
        .findIndex((l) => l.startsWith('apply_order')) + 1;
    expect(err.detail).toContain(`${file}:${line}:20: apply_order.1: must be one of soc, driver`);
  });

  it('a baseline ref that is missing', async () => {
    await ws.writeManifest('noref', { ref: 'v9.99' });
    const err = await failure(promote({ workspace: ws.workspace, host: 'noref' }, ctx));
    expect(err.code).toBe('KERNEL_BASELINE_MISSING');
    expect(err.detail).toContain('v9.99');
  });

  it('a host with no manifest, a host name that is not a token, a manifest whose host differs from its file', async () => {
    expect((await failure(promote({ workspace: ws.workspace, host: 'nosuch' }, ctx))).code).toBe(
      'KERNEL_HOST_NOT_FOUND',
    );
    for (const bad of ['../fleet/fresnel', 'fres nel', 'a;b'])
      expect((await failure(promote({ workspace: ws.workspace, host: bad }, ctx))).code, bad).toBe(
        'INVALID_ARGUMENT',
      );
    await ws.writeManifest('alias', ws.manifestYaml({ host: 'fresnel' }));
    expect((await failure(loadHostManifest(ws.workspace, 'alias'))).detail).toMatch(
      /must match the file name "alias"/,
    );
  });

  it('a patch exported with diff.noprefix is refused, naming it', async () => {
    await ws.exportSeries({ config: ['diff.noprefix=true'] });
    try {
      const err = await failure(promote({ workspace: ws.workspace, host: HOST }, ctx));
      expect(err.code).toBe('KERNEL_PATCH_INVALID');
      expect(err.detail).toMatch(
        /^soc\/sm8250-fixes\/0001-clk-enable-the-fix\.patch:\d+: a diff without a\/ b\/ prefixes/,
      );
    } finally {
      await ws.exportSeries();
    }
  });
});
