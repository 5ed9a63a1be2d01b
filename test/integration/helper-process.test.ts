import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { access, chmod, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../src/shared/progress';
import { quietContext } from '../../src/main/core/jobs/context';
import { HelperClient } from '../../src/main/helper/client';
import { buildFixtureImage, compressFixture, type FixtureImage } from '../helpers/fixture-image';
import { attachLoop, detachLoop } from '../helpers/loop';

// The real helper bundle (out/main/helper.js) as a separate process, run as root directly and through a STAND-IN
// pkexec (a script that execs its arguments: polkit cannot prompt on this machine). Jobs run real core on loop
// devices this file creates.

const HELPER = resolve('out/main/helper.js');
let dir: string;
let fixture: FixtureImage;
let zst: string;
let bigZst: string;
let client: HelperClient;
const loops: string[] = [];

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; detail?: string };
  }
  throw new Error('expected a failure');
};

async function scratch(name: string, mib: number) {
  const file = join(dir, name);
  await writeFile(file, Buffer.alloc(mib * 1024 * 1024, 0x5a));
  const dev = await attachLoop(file);
  loops.push(dev);
  return { file, dev };
}

beforeAll(async () => {
  await access(HELPER).catch(() => {
    throw new Error(`${HELPER} is missing: run \`npx electron-vite build\` (npm test does) first`);
  });
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-helper-'));
  fixture = await buildFixtureImage(join(dir, 'fx'), { name: 'k.img', sizeMiB: 32, populate: false });
  zst = await compressFixture(fixture.imagePath, 'zstd');
  const big = join(dir, 'big.img');
  await writeFile(big, '');
  await truncate(big, 768 * 1024 * 1024);
  bigZst = await compressFixture(big, 'zstd');
  client = await HelperClient.start({ mode: 'direct', nodePath: process.execPath, helperPath: HELPER });
});

afterAll(async () => {
  await client?.close();
  for (const l of loops) await detachLoop(l).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('privileged helper process', () => {
  it('starts, reports its version, and leaves find-persistence to the CLI', async () => {
    expect(client.version).toBe(JSON.parse(await readFile('package.json', 'utf8')).version);
    expect(
      await failure(
        // No longer a job at all (it would have root mount a file the caller names): refused as unknown.
        client.run(
          { type: 'find-persistence', params: { container: fixture.imagePath } } as never,
          quietContext(),
        ),
      ),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', detail: expect.stringMatching(/type/) });
  });

  it('re-checks drive safety itself and refuses jobs outside its whitelist', async () => {
    const { file, dev } = await scratch('guarded.img', 48);
    const before = await sha256(file);
    expect(
      await failure(client.run({ type: 'flash', params: { image: zst, device: dev } }, quietContext())),
    ).toMatchObject({
      code: 'DRIVE_LOOP_NOT_ALLOWED',
    });
    expect(
      await failure(client.run({ type: 'image-check', params: { source: zst } }, quietContext())),
    ).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringContaining('not run by the privileged helper'),
    });
    expect(await sha256(file)).toBe(before);
  });

  it('flashes a loop device with progress relayed, and cancels a flash mid-way', async () => {
    const { dev } = await scratch('flashed.img', 48);
    const seen: Progress[] = [];
    const ctx = { ...quietContext(), progress: (p: Progress) => seen.push(p) };
    const r = await client.run(
      { type: 'flash', params: { image: zst, device: dev, includeLoop: true } },
      ctx,
    );
    expect(r).toMatchObject({ device: dev, verified: true, bytesWritten: fixture.sizeBytes });
    expect(seen.some((p) => p.kind === 'flash' && p.phase === 'write')).toBe(true);

    const target = join(dir, 'cancelled.img');
    await writeFile(target, '');
    await truncate(target, 800 * 1024 * 1024);
    const big = await attachLoop(target);
    loops.push(big);
    const ac = new AbortController();
    const cctx = {
      ...quietContext(ac.signal),
      progress: (p: Progress) => p.kind === 'flash' && !ac.signal.aborted && ac.abort(),
    };
    const t0 = Date.now();
    expect(
      await failure(
        client.run({ type: 'flash', params: { image: bigZst, device: big, includeLoop: true } }, cctx),
      ),
    ).toMatchObject({
      code: 'CANCELLED',
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    // Still serving after the cancel.
    expect(
      await client.run(
        { type: 'verify-drive', params: { image: zst, device: dev, includeLoop: true } },
        quietContext(),
      ),
    ).toMatchObject({ device: dev, verified: true });
  });

  it('runs through a stand-in pkexec with the same command line the real one would get', async () => {
    const pkexec = join(dir, 'pkexec');
    // Like the real one, it tells the helper who ran it (PKEXEC_UID).
    await writeFile(
      pkexec,
      '#!/bin/sh\necho "$@" > "$(dirname "$0")/pkexec-args"\nPKEXEC_UID="$(id -u)" exec "$@"\n',
    );
    await chmod(pkexec, 0o755);
    const viaPk = await HelperClient.start({
      mode: 'pkexec',
      pkexecPath: pkexec,
      nodePath: process.execPath,
      helperPath: HELPER,
    });
    try {
      expect(await readFile(join(dir, 'pkexec-args'), 'utf8')).toBe(`${process.execPath} ${HELPER}\n`);
      const { dev } = await scratch('via-pkexec.img', 48);
      expect(
        await viaPk.run(
          { type: 'flash', params: { image: zst, device: dev, includeLoop: true } },
          quietContext(),
        ),
      ).toMatchObject({ device: dev, verified: true });
    } finally {
      await viaPk.close();
    }
  });

  it('answers garbage with INVALID_ARGUMENT, and cancels its job and exits when stdin closes', async () => {
    const target = join(dir, 'orphan.img');
    await writeFile(target, '');
    await truncate(target, 800 * 1024 * 1024);
    const dev = await attachLoop(target);
    loops.push(dev);
    const child = execa(process.execPath, [HELPER], { stdin: 'pipe', reject: false, timeout: 30_000 });
    const lines: { type: string; jobId?: string; error?: { code: string } }[] = [];
    let buf = '';
    let startedFlash!: () => void;
    const flashing = new Promise<void>((r) => (startedFlash = r));
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        lines.push(m);
        if (m.type === 'progress' && m.progress.kind === 'flash') startedFlash();
      }
    });
    child.stdin!.write('this is not json\n');
    child.stdin!.write(
      JSON.stringify({
        id: 'j1',
        op: 'start',
        job: { type: 'flash', params: { image: bigZst, device: dev, includeLoop: true } },
      }) + '\n',
    );
    await flashing;
    const t0 = Date.now();
    child.stdin!.end(); // the parent "died"
    const r = await child;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.exitCode).toBe(0);
    expect(String(r.stderr)).toContain('exiting (stdin-closed)');
    expect(lines[0]).toMatchObject({ type: 'ready' });
    expect(lines.find((l) => l.type === 'error')).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(lines.find((l) => l.jobId === 'j1' && l.type === 'failed')).toMatchObject({
      error: { code: 'CANCELLED' },
    });
  });
});
