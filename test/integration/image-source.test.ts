import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext, type JobContext } from '../../src/main/core/jobs/context';
import type { Progress } from '../../src/shared/progress';
import { downloadToCache, resolveSource } from '../../src/main/core/image/source';
import { startLocalServer } from '../helpers/local-server';

// A real HTTP server on 127.0.0.1 with Range/If-Range support that can drop the connection mid-body.

const body = randomBytes(3 * 1024 * 1024 + 123);
let body2: Buffer | undefined; // what /republished.img.zst serves once the release is published again
let etag = '"v1"';
let dropAfter: number | undefined; // drop the next response after this many body bytes
const requests: { url: string; range?: string; ifRange?: string; status?: number }[] = [];
let server: Awaited<ReturnType<typeof startLocalServer>>;
let base: string;
let dir: string;

function handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
  const r: (typeof requests)[number] = {
    url: req.url!,
    range: req.headers.range,
    ifRange: req.headers['if-range'] as string | undefined,
  };
  requests.push(r);
  if (req.url === '/missing.img.zst') {
    res.writeHead(404).end();
    return;
  }
  if (req.url === '/republished.img.zst.sha256') {
    // A small file without any validator: the server cannot say whether it changed.
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${sha(body2 ?? body)}  republished.img.zst\n`);
    return;
  }
  const served = req.url === '/republished.img.zst' && body2 ? body2 : body;
  const tag = served === body ? etag : '"v2"';
  if (req.headers['if-none-match'] === tag) {
    r.status = 304;
    res.writeHead(304, { etag: tag }).end();
    return;
  }
  let start = 0;
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m && (!req.headers['if-range'] || req.headers['if-range'] === tag)) start = Number(m[1]);
  const slice = served.subarray(start);
  const headers: Record<string, string | number> = {
    etag: tag,
    'content-length': slice.length,
    'accept-ranges': 'bytes',
  };
  if (start > 0) headers['content-range'] = `bytes ${start}-${served.length - 1}/${served.length}`;
  res.writeHead(start > 0 ? 206 : 200, headers);
  if (dropAfter !== undefined) {
    const n = dropAfter;
    dropAfter = undefined;
    res.write(slice.subarray(0, n), () => setTimeout(() => res.destroy(), 20));
    return;
  }
  res.end(slice);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-source-'));
  server = await startLocalServer(handle);
  base = server.base;
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('image sources', () => {
  it('a local path is used as is; a missing one is IMAGE_NOT_FOUND', async () => {
    await expect(resolveSource(join(dir, 'nope.img'), quietContext())).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
    });
    await expect(resolveSource(dir, quietContext())).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });

  it('a dropped connection fails with IMAGE_DOWNLOAD_FAILED, keeps the .part, and the next call resumes with Range + If-Range', async () => {
    const cacheDir = join(dir, 'c1');
    requests.length = 0;
    dropAfter = 1024 * 1024;
    const url = `${base}/kintsugi-v1.img.zst`;
    await expect(downloadToCache(url, quietContext(), { cacheDir, retries: 0 })).rejects.toMatchObject({
      code: 'IMAGE_DOWNLOAD_FAILED',
      detail: expect.stringContaining('connection lost'),
    });
    const parts = (await readdir(cacheDir)).filter((f) => f.endsWith('.part'));
    expect(parts).toHaveLength(1);
    const kept = (await readFile(join(cacheDir, parts[0]!))).length;
    expect(kept).toBeGreaterThan(0); // a reset may drop what the kernel still buffered
    expect(kept).toBeLessThan(body.length);

    const events: Progress[] = [];
    const ctx: JobContext = { ...quietContext(), progress: (p) => events.push(p) };
    const path = await downloadToCache(url, ctx, { cacheDir, retries: 0 });
    expect(sha(await readFile(path))).toBe(sha(body));
    expect(requests.at(-1)).toMatchObject({ range: `bytes=${kept}-`, ifRange: '"v1"' });
    expect(events.at(-1)).toMatchObject({
      kind: 'image',
      phase: 'download',
      bytes: body.length,
      total: body.length,
    });
    const name = path.split('/').pop()!;
    expect((await readdir(cacheDir)).sort()).toEqual([name, `${name}.meta.json`]);
    // Cached: one conditional request, answered 304 without a body.
    const before = requests.length;
    expect(await downloadToCache(url, quietContext(), { cacheDir })).toBe(path);
    expect(requests.length).toBe(before + 1);
    expect(requests.at(-1)).toMatchObject({ status: 304 });
  });

  it('a release published again at the same URL is downloaded again, with its new checksum', async () => {
    const cacheDir = join(dir, 'c5');
    const url = `${base}/republished.img.zst`;
    const first = await readFile(await downloadToCache(url, quietContext(), { cacheDir }));
    const sums1 = await readFile(
      await downloadToCache(`${url}.sha256`, quietContext(), { cacheDir }),
      'utf8',
    );
    expect(sha(first)).toBe(sha(body));
    expect(sums1).toContain(sha(body));

    body2 = randomBytes(200_000);
    try {
      const logs: string[] = [];
      const ctx: JobContext = { ...quietContext(), log: (m) => logs.push(m) };
      const second = await readFile(await downloadToCache(url, ctx, { cacheDir }));
      const sums2 = await readFile(await downloadToCache(`${url}.sha256`, ctx, { cacheDir }), 'utf8');
      expect(sha(second)).toBe(sha(body2));
      expect(sums2).toContain(sha(body2));
      expect(logs.join('\n')).toContain('changed on the server');
    } finally {
      body2 = undefined;
    }
  });

  it('a cached copy is used when the server cannot be reached to ask, and the log says so', async () => {
    const cacheDir = join(dir, 'c6');
    const other = createServer(handle);
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/offline.img.zst`;
    const path = await downloadToCache(url, quietContext(), { cacheDir });
    other.closeAllConnections();
    await new Promise((r) => other.close(r));
    const logs: string[] = [];
    const ctx: JobContext = { ...quietContext(), log: (m) => logs.push(m) };
    expect(await downloadToCache(url, ctx, { cacheDir, retries: 0 })).toBe(path);
    expect(logs.join('\n')).toContain('using it');
  });

  it('retries within one call resume by themselves', async () => {
    requests.length = 0;
    dropAfter = 500_000;
    const path = await downloadToCache(`${base}/auto.img.zst`, quietContext(), {
      cacheDir: join(dir, 'c2'),
      retries: 2,
      retryDelayMs: 10,
    });
    expect(sha(await readFile(path))).toBe(sha(body));
    expect(requests).toHaveLength(2);
    expect(requests[1]!.range).toMatch(/^bytes=\d+-$/);
  });

  it('a file that changed on the server restarts from zero instead of splicing', async () => {
    const cacheDir = join(dir, 'c3');
    dropAfter = 300_000;
    const url = `${base}/changing.img.zst`;
    await expect(downloadToCache(url, quietContext(), { cacheDir, retries: 0 })).rejects.toMatchObject({
      code: 'IMAGE_DOWNLOAD_FAILED',
    });
    etag = '"v2"';
    try {
      const path = await downloadToCache(url, quietContext(), { cacheDir, retries: 0 });
      expect(sha(await readFile(path))).toBe(sha(body));
      expect(requests.at(-1)!.ifRange).toBe('"v1"'); // asked to resume, server answered 200 with the whole file
    } finally {
      etag = '"v1"';
    }
  });

  it('HTTP errors are IMAGE_DOWNLOAD_FAILED with the status, and a closed port says why', async () => {
    await expect(
      downloadToCache(`${base}/missing.img.zst`, quietContext(), { cacheDir: join(dir, 'c4') }),
    ).rejects.toMatchObject({
      code: 'IMAGE_DOWNLOAD_FAILED',
      detail: expect.stringContaining('HTTP 404'),
    });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(
      downloadToCache(`http://127.0.0.1:${port}/x.img`, quietContext(), {
        cacheDir: join(dir, 'c5'),
        retries: 0,
      }),
    ).rejects.toMatchObject({
      code: 'IMAGE_DOWNLOAD_FAILED',
      detail: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
