import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageReport } from '../../src/shared/model';
import type { Progress } from '../../src/shared/progress';
import { quietContext } from '../../src/main/core/jobs/context';
import type { JobHostClient } from '../../src/main/job-host/client';
import { startUtility } from '../../src/main/utility/client';
import { electronUtilityTransport } from '../../src/main/utility-process';
import { recorded } from '../stubs/electron';
import { buildFixtureImage, compressFixture } from '../helpers/fixture-image';
import { writeSha256File } from '../helpers/fixture-image';

// The real utility bundle (out/main/utility.js) as its own process: as a plain child over stdin/stdout (how tests
// and a main without Electron start it) and through Electron's utilityProcess API, which here is the STAND-IN in
// test/stubs/electron.ts (a Node fork with an IPC channel, built from utilityProcess's documented shape).

const UTILITY = resolve('out/main/utility.js');
let dir: string;
let zst: string;
let sums: string;
const clients: JobHostClient[] = [];

beforeAll(async () => {
  await access(UTILITY).catch(() => {
    throw new Error(`${UTILITY} is missing: run \`npx electron-vite build\` (npm test does) first`);
  });
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-utility-'));
  const img = await buildFixtureImage(join(dir, 'img'), {
    name: 'kintsugi-v5.img',
    sizeMiB: 32,
    populate: false,
  });
  zst = await compressFixture(img.imagePath, 'zstd');
  sums = await writeSha256File([zst], join(dir, 'img', 'SHA256SUMS'));
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const failure = async (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'none' }),
    (e: { code: string; detail?: string }) => e,
  );

describe.each([
  ['a child process over stdio', () => startUtility({ utilityPath: UTILITY })],
  ["Electron's utilityProcess (stand-in)", () => startUtility({}, electronUtilityTransport(UTILITY))],
])('utility process as %s', (_how, start) => {
  it("checks an image in its own process, relaying progress; refuses root verbs and other hosts' jobs", async () => {
    const client = await start();
    clients.push(client);
    expect(client.pid).not.toBe(process.pid);
    const seen: Progress[] = [];
    const report = (await client.run(
      { type: 'image-check', params: { source: zst, sha256File: sums } },
      { ...quietContext(), progress: (p) => seen.push(p) },
    )) as ImageReport;
    const expected = createHash('sha256')
      .update(await readFile(zst))
      .digest('hex');
    expect(report.checksum).toMatchObject({ ok: true, expected });
    expect(seen.some((p) => p.kind === 'image' && p.phase === 'checksum')).toBe(true);
    for (const job of [
      { type: 'flash', params: { image: zst, device: '/dev/loop0' } },
      { type: 'restore', params: { backupDir: dir, target: dir } },
    ] as const) {
      expect(await failure(client.run(job, quietContext()))).toMatchObject({
        code: 'INVALID_ARGUMENT',
        detail: `job type ${job.type} is not run by the utility process`,
      });
    }
    // A bad image fails with its own code, and the process keeps serving.
    const empty = join(dir, 'empty.img');
    await writeFile(empty, '');
    expect(
      await failure(client.run({ type: 'image-check', params: { source: empty } }, quietContext())),
    ).toMatchObject({
      code: 'IMAGE_CORRUPT',
    });
    expect(client.alive).toBe(true);
  });

  it('cancels a running check and exits when closed', async () => {
    const client = await start();
    const ac = new AbortController();
    const url = 'http://127.0.0.1:9/never.img.zst'; // discard port: the connection is refused at once
    const refused = await failure(
      client.run({ type: 'image-check', params: { source: url } }, quietContext(ac.signal)),
    );
    expect(refused.code).toBe('IMAGE_DOWNLOAD_FAILED');
    const big = client.run(
      { type: 'image-check', params: { source: zst, fullCheck: true } },
      quietContext(ac.signal),
    );
    ac.abort();
    expect(await failure(big)).toMatchObject({ code: 'CANCELLED' });
    await client.close(5000);
    expect(client.alive).toBe(false);
  });
});

it('the Electron path forks utility.js under its service name, as a utility process (not Node mode)', () => {
  expect(recorded.utilityForks.map((f) => [f.modulePath, f.serviceName, f.runAsNode])).toContainEqual([
    UTILITY,
    'Kintsugi Updater utility',
    false,
  ]);
});
