import { rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { bootId } from '../util/boot-id';
import { fsyncPath } from '../util/fsync';
import { DownloadCheckpoints, recordEvery } from './download-checkpoints';
import { resumePoint } from './download-resume';
import { removeDownloadState, statePathFor } from './download-state';
import { ggufPrefixProblem, readGgufHeader } from './gguf-header';
import { etagOf, openGet } from './http-open';
import { PartialFile } from './partial-file';
import { receiveBody } from './receive-body';

// A resumable, hashed download into `<dest>.incomplete`: Range + If-Range from where the trusted bytes end
// (download-resume.ts), a 206 required (a 200, a changed validator or a Content-Range elsewhere means start over,
// and the log says so), sha256 while streaming with a savable state carried across resumes (download-sha256.ts,
// partial-file.ts, receive-body.ts), the record kept up to date with it (download-checkpoints.ts), a stall
// watchdog, the storage guard re-asked as the file grows, then the GGUF header check, fsync and an atomic rename
// into place. Nothing reaches `dest` that did not pass the size, sha256 and header checks.

export interface DownloadTarget {
  url: string;
  revision?: string;
  dest: string;
  expectedSize?: number;
  expectedSha256?: string;
}

export interface DownloadOptions {
  ctx: JobContext;
  /** Throws (MODEL_STORAGE_REFUSED...) when the remaining bytes must not be written; may return a warning. */
  guard(remainingBytes: number, fileBytes: number | undefined): Promise<string | undefined>;
  env?: NodeJS.ProcessEnv;
  /** No bytes for this long → abort the response and resume. */
  stallMs?: number;
  /** Consecutive attempts without progress before giving up. */
  retries?: number;
  backoffMs?: number;
  /** How often the record is rewritten (default: by the file's size, recordEvery): bounds what a killed process
   *  fetches again. */
  checkpointBytes?: number;
  /** How often the file is fsynced in the background: bounds what a reboot or a power cut fetches again. */
  durableEveryBytes?: number;
  /** How often the storage guard is asked again while writing. */
  guardEveryBytes?: number;
  /** For tests: the thread keeping the savable sha256 state hashes no byte past this one (it lags behind). */
  hashPauseAt?: number;
}

export interface DownloadOutcome {
  bytes: number;
  sha256: string;
  fetched: number;
  resumedFrom: number;
  /** Bytes read back from disk to carry the sha256 across the resume (those past the record's saved state). */
  reread: number;
  warnings: string[];
}

class StartOver extends Error {}

export async function downloadFile(t: DownloadTarget, o: DownloadOptions): Promise<DownloadOutcome> {
  const { ctx } = o;
  const stallMs = o.stallMs ?? 30_000;
  const retries = o.retries ?? 5;
  const guardEvery = o.guardEveryBytes ?? 64 * 1024 * 1024;
  const incomplete = `${t.dest}.incomplete`;
  const statePath = statePathFor(incomplete);
  const warnings: string[] = [];
  const say = (m: string) => {
    warnings.push(m);
    ctx.log(m);
  };

  const boot = await bootId();
  const from = await resumePoint(t, incomplete, statePath, boot, say, (m) => ctx.log(m));
  const resumedFrom = from.bytes;
  if (resumedFrom > 0) ctx.log(`Resuming at byte ${resumedFrom}.`);
  const file = await PartialFile.open(incomplete, from, o.hashPauseAt);
  let fetched = 0;
  try {
    let expectedSize = t.expectedSize ?? from.state?.expectedSize;
    let expectedSha = t.expectedSha256 ?? from.state?.expectedSha256;
    let validator = from.state?.validator;
    const meter = { m: new ProgressMeter(expectedSize) };
    const checkpoints = new DownloadCheckpoints(
      file.fh,
      statePath,
      () => ({
        v: 2,
        url: t.url,
        ...(t.revision ? { revision: t.revision } : {}),
        ...(expectedSize !== undefined ? { expectedSize } : {}),
        ...(expectedSha ? { expectedSha256: expectedSha } : {}),
        ...(validator ? { validator } : {}),
      }),
      {
        every: () => o.checkpointBytes ?? recordEvery(expectedSize),
        durableEvery: o.durableEveryBytes ?? 64 * 1024 * 1024,
        bootId: boot,
        hash: file.hash,
      },
    );
    const checkpoint = () => checkpoints.durable(file.offset);
    const restart = async (why: string) => {
      say(`Starting over: ${why}.`);
      await file.restart();
      validator = undefined;
      // What the old file's headers said is void too; the manifest's own values stand.
      expectedSize = t.expectedSize;
      expectedSha = t.expectedSha256;
    };

    // Before any request when the size is known (the manifest's, or the record's): a refusal costs no bytes.
    if (expectedSize !== undefined) {
      const warn = await o.guard(expectedSize - file.offset, expectedSize);
      if (warn) say(warn);
    }

    const cancelled = () =>
      new KintsugiError('CANCELLED', `stopped at byte ${file.offset}; the partial file was kept`);
    let failures = 0;
    for (;;) {
      if (expectedSize !== undefined && file.offset === expectedSize) break;
      if (ctx.signal.aborted) {
        await checkpoint();
        throw cancelled();
      }
      const progressBefore = file.offset;
      try {
        await attempt();
        if (expectedSize === undefined || file.offset === expectedSize) break;
      } catch (err) {
        if (err instanceof StartOver) {
          await checkpoints.idle().catch(() => {});
          await restart(err.message);
          continue;
        }
        if (err instanceof KintsugiError && err.code === 'MODEL_NOT_GGUF') {
          // An HTML page or an LFS pointer is nothing to resume from.
          await checkpoints.idle().catch(() => {});
          await file.fh.truncate(0).catch(() => {});
          await removeDownloadState(statePath);
          throw err;
        }
        if (err instanceof KintsugiError || ctx.signal.aborted) {
          await checkpoint().catch(() => {});
          if (ctx.signal.aborted && !(err instanceof KintsugiError && err.code !== 'CANCELLED'))
            throw cancelled();
          throw err;
        }
        ctx.log(`Transfer interrupted at byte ${file.offset}: ${(err as Error).message}`);
      }
      await checkpoint();
      failures = file.offset > progressBefore ? 0 : failures + 1;
      if (failures > retries)
        throw new KintsugiError(
          'MODEL_DOWNLOAD_FAILED',
          `no progress after ${retries} retries at byte ${file.offset} of ${expectedSize ?? '?'} (${t.url})`,
        );
      const wait = (o.backoffMs ?? 1000) * 2 ** Math.max(0, failures - 1);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, wait);
        ctx.signal.addEventListener('abort', () => (clearTimeout(timer), r()), { once: true });
      });
    }

    async function attempt(): Promise<void> {
      const ac = new AbortController();
      const onAbort = () => ac.abort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const offset = file.offset;
      const headers: Record<string, string> = {};
      if (offset > 0) {
        headers['range'] = `bytes=${offset}-`;
        if (validator) headers['if-range'] = `"${validator}"`;
      }
      try {
        const opened = await openGet(t.url, headers, ac.signal, o.env);
        const { res } = opened;
        const status = res.statusCode ?? 0;
        if (status === 404) {
          res.resume();
          throw new KintsugiError('MODEL_REVISION_NOT_FOUND', `404 from ${t.url}`);
        }
        if (status === 401 || status === 403) {
          res.resume();
          throw new KintsugiError('MODEL_DOWNLOAD_FAILED', `${status} from ${t.url}`, {
            hint: 'The repo is gated or private: accept its terms on huggingface.co and set HF_TOKEN, then pull again.',
          });
        }
        if (status === 416 && expectedSize !== undefined && offset >= expectedSize) {
          res.resume();
          return;
        }
        if (status !== 200 && status !== 206) {
          res.resume();
          const e = new Error(`HTTP ${status} from ${opened.finalUrl}`);
          if (status >= 500 || status === 429 || status === 416) throw e;
          throw new KintsugiError('MODEL_DOWNLOAD_FAILED', e.message);
        }
        const etag = opened.linkedEtag ?? etagOf(res);
        if (offset > 0 && status === 200) {
          res.destroy();
          throw new StartOver(
            validator && etag && etag !== validator
              ? 'the file changed on the server since the partial download'
              : 'the server answered the range request with the whole file (200)',
          );
        }
        if (offset > 0 && validator && etag && etag !== validator) {
          res.destroy();
          throw new StartOver('the file changed on the server since the partial download');
        }
        let total: number | undefined;
        if (status === 206) {
          const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
          if (!m || Number(m[1]) !== offset) {
            res.destroy();
            throw new StartOver(
              `the server sent a range other than the one asked for (${res.headers['content-range']})`,
            );
          }
          if (m[3] !== '*') total = Number(m[3]);
        } else {
          const cl = res.headers['content-length'];
          if (cl && /^\d+$/.test(cl)) total = Number(cl);
        }
        total = opened.linkedSize ?? total;
        if (expectedSize !== undefined && total !== undefined && total !== expectedSize) {
          res.destroy();
          throw new KintsugiError(
            'MODEL_DOWNLOAD_FAILED',
            `the server has ${total} bytes, the manifest says ${expectedSize} (${t.url})`,
            {
              hint: 'The manifest entry and the file disagree: check its size (and revision), then pull again.',
            },
          );
        }
        expectedSize ??= total;
        if (!t.expectedSha256 && opened.linkedEtag && /^[0-9a-f]{64}$/.test(opened.linkedEtag))
          expectedSha = opened.linkedEtag;
        validator = etag;
        meter.m = new ProgressMeter(expectedSize);
        const remaining = () => (expectedSize !== undefined ? expectedSize - file.offset : 0);
        const warn = await o.guard(remaining(), expectedSize);
        if (warn && !warnings.includes(warn)) say(warn);
        await checkpoint();
        let guardedAt = file.offset;
        await receiveBody(res, file, {
          stallMs,
          ...(expectedSize !== undefined ? { limit: expectedSize } : {}),
          ...(offset === 0 && status === 200
            ? {
                checkHead: (head: Buffer) => {
                  const problem = ggufPrefixProblem(head);
                  if (problem) throw new KintsugiError('MODEL_NOT_GGUF', `${t.url} sent ${problem}`);
                },
              }
            : {}),
          afterBatch: async (at, n) => {
            fetched += n;
            ctx.progress({ kind: 'models', phase: 'pull', ...meter.m.update(at) });
            checkpoints.advanced(at);
            if (at - guardedAt >= guardEvery) {
              guardedAt = at;
              await o.guard(remaining(), expectedSize);
            }
          },
        });
        if (expectedSize !== undefined && file.offset < expectedSize)
          throw new Error(`the connection closed at byte ${file.offset} of ${expectedSize}`);
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
    }

    await file.fh.sync();
    await checkpoints.idle();
    const sha256 = await digestOf(file, ctx);
    if (expectedSha && sha256 !== expectedSha) {
      // The record goes (its bytes are complete but wrong): the next pull starts over. The file stays, for a look.
      await removeDownloadState(statePath);
      throw new KintsugiError(
        'MODEL_CHECKSUM_MISMATCH',
        `${incomplete}: sha256 ${sha256}, expected ${expectedSha}`,
      );
    }
    await file.close();
    try {
      await readGgufHeader(incomplete);
    } catch (err) {
      await removeDownloadState(statePath);
      throw new KintsugiError('MODEL_NOT_GGUF', `${t.url}: ${(err as Error).message}`);
    }
    await rename(incomplete, t.dest);
    await fsyncPath(dirname(t.dest));
    await removeDownloadState(statePath);
    if (!expectedSha) say(`No sha256 known for ${t.url}: the file is in place but unverifiable.`);
    return { bytes: file.offset, sha256, fetched, resumedFrom, reread: from.reread, warnings };
  } finally {
    await file.close();
  }
}

/**
 * The file's sha256. On a resumed pull the thread may still be reading behind the download (a link faster than
 * hash-wasm): its progress is shown as the `checksum` phase, and a cancel stops the wait.
 */
async function digestOf(file: PartialFile, ctx: JobContext): Promise<string> {
  const meter = new ProgressMeter(file.offset);
  const ticker = setInterval(() => {
    const at = file.hash.atMost(file.offset)?.bytes ?? 0;
    ctx.progress({ kind: 'models', phase: 'checksum', ...meter.update(at) });
  }, 250);
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      file.hash.digest(),
      new Promise<never>((_, reject) => {
        onAbort = () =>
          reject(new KintsugiError('CANCELLED', `stopped while hashing the downloaded file; it was kept`));
        if (ctx.signal.aborted) onAbort();
        else ctx.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearInterval(ticker);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

export const removePartial = async (dest: string) => {
  const incomplete = `${dest}.incomplete`;
  await unlink(incomplete).catch(() => {});
  await removeDownloadState(statePathFor(incomplete));
};
