import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KintsugiError } from '../../../shared/errors';
import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { writeFileAtomic } from '../util/atomic-write';
import { exists } from '../util/exists';
import { fsyncPath } from '../util/fsync';

// An image source is a local path or an http(s) URL. URLs are downloaded into a cache so a flash never depends on
// the network mid-write. Downloads resume: bytes land in `<name>.part` (kept across crashes and failures) and a
// `<name>.part.json` remembers the validator (ETag / Last-Modified); the next attempt asks for `Range: bytes=N-`
// with `If-Range`, so a file that changed on the server restarts from zero instead of being spliced. A completed
// download keeps its validators in `<name>.meta.json` and is revalidated before each reuse (see stillCurrent).
// Crash safety (partial downloads are state that must survive a crash): the validators are written atomically,
// since a torn one throws away gigabytes already downloaded, and the `.part` is fsynced before it takes the final
// name, so after a power cut the final name never holds less than the download that completed.

export interface FetchOptions {
  cacheDir?: string;
  /** Extra attempts after a dropped connection within one call (each resumes). */
  retries?: number;
  retryDelayMs?: number;
}

interface PartMeta {
  url: string;
  etag?: string;
  lastModified?: string;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'kintsugi-updater', 'images');
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Cache file name: the URL's base name, prefixed with a short hash of the URL so two servers never collide. */
export function cacheFileName(url: string): string {
  const u = new URL(url);
  const name = basename(decodeURIComponent(u.pathname)).replace(/[^A-Za-z0-9._+-]/g, '_') || 'download';
  const tag = createHash('sha256').update(url).digest('hex').slice(0, 8);
  return `${tag}-${name}`;
}

/** A local path as is (IMAGE_NOT_FOUND when missing), or the cached download of a URL. */
export async function resolveSource(
  source: string,
  ctx: JobContext,
  opts: FetchOptions = {},
): Promise<string> {
  if (!isUrl(source)) {
    try {
      const st = await stat(source);
      if (!st.isFile()) throw new KintsugiError('IMAGE_NOT_FOUND', `${source} is not a regular file`);
    } catch (err) {
      if (err instanceof KintsugiError) throw err;
      throw new KintsugiError('IMAGE_NOT_FOUND', source);
    }
    return source;
  }
  return downloadToCache(source, ctx, opts);
}

export async function downloadToCache(
  url: string,
  ctx: JobContext,
  opts: FetchOptions = {},
): Promise<string> {
  const dir = opts.cacheDir ?? defaultCacheDir();
  await mkdir(dir, { recursive: true });
  const final = join(dir, cacheFileName(url));
  // A completed download is reused only while the server says it is still current: a release published again at
  // the same URL (a `latest` link, a re-uploaded checksum) must not be answered from a stale cache, and a file that
  // arrived damaged must not stick forever.
  if ((await exists(final)) && (await stillCurrent(url, final, ctx))) return final;
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await downloadOnce(url, final, ctx);
      return final;
    } catch (err) {
      const k =
        err instanceof KintsugiError
          ? err
          : new KintsugiError('IMAGE_DOWNLOAD_FAILED', `${url}: ${(err as Error).message}`);
      const retryable = k.code === 'IMAGE_DOWNLOAD_FAILED' && !/HTTP 4\d\d/.test(k.detail ?? '');
      if (!retryable || attempt >= retries || ctx.signal.aborted) throw k;
      ctx.log(`download interrupted (${k.detail}); resuming`);
      await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 500) * (attempt + 1)));
    }
  }
}

/** The validators of a completed download, kept beside it. */
const cacheMetaPath = (final: string) => `${final}.meta.json`;

/**
 * Asks the server whether the cached copy is still what the URL serves (If-None-Match / If-Modified-Since).
 * 304: reuse. Anything else, or no validator to ask with: download again (into the .part, renamed over the old
 * copy only when complete). When the server cannot be reached the cached copy is used, and the log says so: its
 * integrity is still the checksum's and the signature's business.
 */
async function stillCurrent(url: string, final: string, ctx: JobContext): Promise<boolean> {
  const meta = await readMeta(cacheMetaPath(final));
  if (meta?.url !== url || !(meta.etag || meta.lastModified)) return false;
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (meta.etag) headers['if-none-match'] = meta.etag;
  if (meta.lastModified) headers['if-modified-since'] = meta.lastModified;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: ctx.signal, redirect: 'follow' });
  } catch (err) {
    if (ctx.signal.aborted) throw new KintsugiError('CANCELLED', `downloading ${url} was cancelled`);
    ctx.log(`${url}: cannot ask whether the cached copy is current (${describeFetchError(err)}); using it`);
    return true;
  }
  await res.body?.cancel().catch(() => {});
  if (res.status === 304) return true;
  ctx.log(`${url} changed on the server (HTTP ${res.status}); downloading it again`);
  return false;
}

async function readMeta(path: string): Promise<PartMeta | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PartMeta;
  } catch {
    return undefined;
  }
}

async function downloadOnce(url: string, final: string, ctx: JobContext): Promise<void> {
  const part = `${final}.part`;
  const metaPath = `${part}.json`;
  let have = 0;
  const meta = await readMeta(metaPath);
  if (meta?.url === url && (meta.etag || meta.lastModified))
    have = (await stat(part).catch(() => undefined))?.size ?? 0;
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    headers['if-range'] = meta!.etag ?? meta!.lastModified!;
  }
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: ctx.signal, redirect: 'follow' });
  } catch (err) {
    if (ctx.signal.aborted) throw new KintsugiError('CANCELLED', `downloading ${url} was cancelled`);
    throw new KintsugiError('IMAGE_DOWNLOAD_FAILED', `${url}: ${describeFetchError(err)}`);
  }
  if (res.status === 416 && have > 0) {
    // Asked past the end: the .part may already be complete, or the file changed. Start over to be sure.
    await rm(part, { force: true });
    await rm(metaPath, { force: true });
    throw new KintsugiError(
      'IMAGE_DOWNLOAD_FAILED',
      `${url}: server refused resuming at ${have} bytes (HTTP 416); starting over`,
    );
  }
  if (res.status !== 200 && res.status !== 206)
    throw new KintsugiError('IMAGE_DOWNLOAD_FAILED', `${url}: HTTP ${res.status} ${res.statusText}`);
  const resumed = res.status === 206;
  if (resumed) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== have) {
      await rm(part, { force: true });
      throw new KintsugiError(
        'IMAGE_DOWNLOAD_FAILED',
        `${url}: server resumed at the wrong offset (${res.headers.get('content-range')})`,
      );
    }
  } else {
    have = 0;
  }
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? have + length : undefined;
  const newMeta: PartMeta = {
    url,
    etag: res.headers.get('etag') ?? undefined,
    lastModified: res.headers.get('last-modified') ?? undefined,
  };
  await writeFileAtomic(metaPath, JSON.stringify(newMeta));
  if (!res.body) throw new KintsugiError('IMAGE_DOWNLOAD_FAILED', `${url}: empty response`);

  const meter = new ProgressMeter(total);
  let bytes = have;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (c: Buffer) => {
    bytes += c.length;
    ctx.progress({ kind: 'image', phase: 'download', ...meter.update(bytes) });
  });
  try {
    await pipeline(body, createWriteStream(part, { flags: resumed ? 'a' : 'w' }));
  } catch (err) {
    if (ctx.signal.aborted)
      throw new KintsugiError(
        'CANCELLED',
        `downloading ${url} was cancelled at ${bytes} bytes; it will resume`,
      );
    throw new KintsugiError(
      'IMAGE_DOWNLOAD_FAILED',
      `${url}: connection lost at ${bytes}${total ? ` of ${total}` : ''} bytes (${describeFetchError(err)}); the download resumes from there`,
    );
  }
  if (total !== undefined && bytes !== total)
    throw new KintsugiError(
      'IMAGE_DOWNLOAD_FAILED',
      `${url}: got ${bytes} of ${total} bytes; the download resumes from there`,
    );
  await fsyncPath(part);
  await rename(part, final);
  if (newMeta.etag || newMeta.lastModified) await rename(metaPath, cacheMetaPath(final));
  else {
    await rm(metaPath, { force: true });
    await rm(cacheMetaPath(final), { force: true });
  }
  // The renames (and removals) are durable once the directory holding them is.
  await fsyncPath(dirname(final));
}

function describeFetchError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ') || String(err);
}
