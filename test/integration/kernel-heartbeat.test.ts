import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installKernel } from '../../src/main/core/kernel/install/install';
import { kernelStatus } from '../../src/main/core/kernel/install/status';
import { kernelDeb, kernelRoot, manifest } from '../helpers/kernel-root';

// The heartbeat as shipped: the unit file (checked by the real systemd-analyze, with its ExecStart pointed at this
// checkout's writer) and the writer itself, run against a throwaway root after installing a package whose kernel
// release is this machine's `uname -r`: the status then reads "confirmed" from what the writer wrote.

const WRITER = resolve('packaging/systemd/kintsugi-heartbeat');
const UNIT = resolve('packaging/systemd/kintsugi-heartbeat.service');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('kernel heartbeat', () => {
  it('the unit runs after boot-complete.target and systemd-analyze verify accepts it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kintsugi-hb-unit-'));
    dirs.push(dir);
    const text = await readFile(UNIT, 'utf8');
    expect(text).toMatch(/^After=boot-complete\.target$/m);
    expect(text).toMatch(/^ExecStart=\/usr\/lib\/kintsugi\/kintsugi-heartbeat$/m);
    const unit = join(dir, 'kintsugi-heartbeat.service');
    await writeFile(unit, text.replace(/^ExecStart=.*$/m, `ExecStart=${WRITER}`));
    const v = await execa('systemd-analyze', ['verify', unit], { reject: false });
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
  });

  it("the writer's heartbeat confirms an install of the running release", async () => {
    const k = await kernelRoot();
    dirs.push(k.dir);
    const next = await kernelDeb(k.dir, { version: '6.6.2-1', release: release() });
    await installKernel({ host: 'h1', manifest: manifest('h1'), packageFile: next.file, root: k.root });
    expect((await kernelStatus({ host: 'h1', root: k.root })).state).toBe('pending-heartbeat');
    await execa(WRITER, [k.root]);
    expect(await readFile(join(k.root, 'var/lib/kintsugi/heartbeat'), 'utf8')).toBe(`${release()}\n`);
    expect((await kernelStatus({ host: 'h1', root: k.root })).state).toBe('confirmed');
  });
});
