import { createHash, type Hash } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSHA256 } from 'hash-wasm';
import { KintsugiError } from '../../../shared/errors';
import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { fsyncPath } from '../util/fsync';
import {
  readDownloadState,
  removeDownloadState,
  statePathFor,
  writeDownloadState,
  type DownloadState,
} from './download-state';
import { ggufPrefixProblem, readGgufHeader } from './gguf-header';
import { etagOf, openGet } from './http-open';
import { Sha256Behind, sha256StateBytes } from './sha256-behind';

// A resumable, hashed download into `<dest>.incomplete`: Range + If-Range from where the recorded bytes end, a
// 206 required (a 200, a changed validator or a Content-Range elsewhere means start over, and the log says so),
// sha256 while streaming (node's crypto on the hot path; the savable state from a thread reading behind, see
// sha256-behind.ts) with that state checkpointed every few MiB, a stall watchdog, the storage guard re-asked
// as the file grows, then the GGUF header check, fsync and an atomic rename into place. Nothing reaches `dest`
// that did not pass the size, sha256 and header checks.

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
  /** How often the hash state is recorded: bounds what a killed process fetches again. */
  checkpointBytes?: number;
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
  warnings: string[];
}

const BATCH = 2 * 1024 * 1024;

class StartOver extends Error {}

export async function downloadFile(t: DownloadTarget, o: DownloadOptions): Promise<DownloadOutcome> {
  const { ctx } = o;
  const stallMs = o.stallMs ?? 30_000;
  const retries = o.retries ?? 5;
  const checkpointBytes = o.checkpointBytes ?? 8 * 1024 * 1024;
  const guardEvery = o.guardEveryBytes ?? 64 * 1024 * 1024;
  const incomplete = `${t.dest}.incomplete`;
  const statePath = statePathFor(incomplete);
  const warnings: string[] = [];
  const say = (m: string) => {
    warnings.push(m);
    ctx.log(m);
  };

  let state: DownloadState | undefined;
  let offset = 0;
  let hashState: Uint8Array | undefined;
  let hashedBytes = 0;
  const prior = await readDownloadState(statePath);
  if ('reason' in prior && prior.reason !== 'no record')
    say(`Starting over: the partial download's ${prior.reason}.`);
  if ('state' in prior) {
    const s = prior.state;
    const onDisk = await stat(incomplete).then(
      (x) => x.size,
      () => -1,
    );
    const why =
      s.url !== t.url
        ? 'the URL changed'
        : s.revision !== t.revision
          ? 'the revision changed'
          : t.expectedSha256 && s.expectedSha256 && s.expectedSha256 !== t.expectedSha256
            ? 'the expected sha256 changed'
            : onDisk < s.bytes
              ? `the partial file has ${Math.max(onDisk, 0)} bytes, fewer than its record's ${s.bytes}`
              : await stateProblem(s);
    if (why) say(`Starting over: ${why}.`);
    else {
      state = s;
      offset = s.bytes;
      hashedBytes = s.hashedBytes ?? s.bytes;
      hashState = Buffer.from(s.hashState, 'base64');
    }
  }
  const resumedFrom = offset;
  if (offset > 0) ctx.log(`Resuming at byte ${offset}.`);
  if (offset > hashedBytes)
    ctx.log(
      `Re-reading ${offset - hashedBytes} bytes from disk to carry the sha256 (its state was saved at byte ${hashedBytes}).`,
    );

  const fh = await open(incomplete, offset > 0 ? 'r+' : 'w', 0o644);
  let fetched = 0;
  // node's crypto over every byte from 0 when this call starts there (it cannot load a saved state); else none,
  // and the digest is the thread's.
  let hot: Hash | undefined;
  let behind: Sha256Behind | undefined;
  const startHashing = async (from: number, saved: Uint8Array | undefined) => {
    behind?.stop();
    // Only when no byte is on disk yet: bytes already there reach no hot-path hash.
    hot = offset === 0 ? createHash('sha256') : undefined;
    behind = await Sha256Behind.start({
      path: incomplete,
      from,
      state: saved,
      every: checkpointBytes,
      nice: hot !== undefined,
      pauseAt: o.hashPauseAt,
    });
  };
  try {
    await fh.truncate(offset);
    await startHashing(hashedBytes, hashState);
    behind!.written(offset);
    let expectedSize = t.expectedSize ?? state?.expectedSize;
    let expectedSha = t.expectedSha256 ?? state?.expectedSha256;
    let validator = state?.validator;
    const meter = { m: new ProgressMeter(expectedSize) };
    const checkpoint = async (durable: boolean) => {
      if (durable) await fh.sync();
      await writeDownloadState(
        statePath,
        {
          v: 1,
          url: t.url,
          ...(t.revision ? { revision: t.revision } : {}),
          ...(expectedSize !== undefined ? { expectedSize } : {}),
          ...(expectedSha ? { expectedSha256: expectedSha } : {}),
          ...(validator ? { validator } : {}),
          bytes: offset,
          hashedBytes: behind!.latest.bytes,
          hashState: Buffer.from(behind!.latest.state).toString('base64'),
        },
        durable,
      );
    };
    const restart = async (why: string) => {
      say(`Starting over: ${why}.`);
      offset = 0;
      behind?.stop();
      await fh.truncate(0);
      await startHashing(0, undefined);
      validator = undefined;
      // What the old file's headers said is void too; the manifest's own values stand.
      expectedSize = t.expectedSize;
      expectedSha = t.expectedSha256;
    };

    // Before any request when the size is known (the manifest's, or the record's): a refusal costs no bytes.
    if (expectedSize !== undefined) {
      const warn = await o.guard(expectedSize - offset, expectedSize);
      if (warn) say(warn);
    }

    let failures = 0;
    for (;;) {
      if (expectedSize !== undefined && offset === expectedSize) break;
      if (ctx.signal.aborted) {
        await checkpoint(true);
        throw new KintsugiError('CANCELLED', `stopped at byte ${offset}; the partial file was kept`);
      }
      const progressBefore = offset;
      try {
        await attempt();
        if (expectedSize === undefined || offset === expectedSize) break;
      } catch (err) {
        if (err instanceof StartOver) {
          await restart(err.message);
          continue;
        }
        if (err instanceof KintsugiError && err.code === 'MODEL_NOT_GGUF') {
          // An HTML page or an LFS pointer is nothing to resume from.
          await fh.truncate(0).catch(() => {});
          await removeDownloadState(statePath);
          throw err;
        }
        if (err instanceof KintsugiError || ctx.signal.aborted) {
          await checkpoint(true).catch(() => {});
          if (ctx.signal.aborted && !(err instanceof KintsugiError && err.code !== 'CANCELLED'))
            throw new KintsugiError('CANCELLED', `stopped at byte ${offset}; the partial file was kept`);
          throw err;
        }
        ctx.log(`Transfer interrupted at byte ${offset}: ${(err as Error).message}`);
      }
      await checkpoint(true);
      failures = offset > progressBefore ? 0 : failures + 1;
      if (failures > retries)
        throw new KintsugiError(
          'MODEL_DOWNLOAD_FAILED',
          `no progress after ${retries} retries at byte ${offset} of ${expectedSize ?? '?'} (${t.url})`,
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
        const warn = await o.guard(expectedSize !== undefined ? expectedSize - offset : 0, expectedSize);
        if (warn && !warnings.includes(warn)) say(warn);
        await checkpoint(true);
        await stream(res, offset === 0 && status === 200);
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }

      async function stream(res: import('node:http').IncomingMessage, fromStart: boolean): Promise<void> {
        // Two batches: one fills from the socket while the other is written (the write no longer holds up the
        // reads; measured alone it was ~45 % of the loop's wall time on this machine).
        const batches = [Buffer.allocUnsafe(BATCH), Buffer.allocUnsafe(BATCH)];
        let cur = 0;
        let batch = batches[0]!;
        let filled = 0;
        /** The write in flight (at most one) and its byte count: bytes neither in `offset` nor in `batch`. */
        let pending: Promise<void> | undefined;
        let inFlight = 0;
        let sinceCheckpoint = 0;
        let sinceGuard = 0;
        let headChecked = !fromStart;
        let stalled = false;
        // One watchdog tick per tenth of the window, not a timer re-armed per chunk (tens of thousands per GiB).
        let lastByteAt = performance.now();
        const timer = setInterval(
          () => {
            if (performance.now() - lastByteAt < stallMs) return;
            stalled = true;
            res.destroy(new Error(`no bytes for ${stallMs / 1000} s (stalled)`));
          },
          Math.max(10, stallMs / 10),
        );
        /** Waits for the write in flight and accounts for it (offset, progress, checkpoint, guard). */
        const settle = async () => {
          const p = pending;
          pending = undefined;
          await p;
        };
        const flush = async () => {
          if (filled === 0) return;
          if (!headChecked) {
            const problem = ggufPrefixProblem(batch.subarray(0, Math.min(filled, 64)));
            if (problem) throw new KintsugiError('MODEL_NOT_GGUF', `${t.url} sent ${problem}`);
            headChecked = true;
          }
          // The previous batch is on disk (or its failure surfaces here) before this one is hashed or written.
          await settle();
          const chunk = batch.subarray(0, filled);
          const n = filled;
          // The write runs in libuv's pool while this thread hashes the same bytes; the hash only keeps them (and
          // the thread behind only reads them) once the write has succeeded.
          const written = writeAt(fh, chunk, offset);
          const before = hot?.copy();
          hot?.update(chunk);
          inFlight = n;
          pending = written.then(
            async () => {
              offset += n;
              inFlight = 0;
              behind!.written(offset);
              fetched += n;
              sinceCheckpoint += n;
              sinceGuard += n;
              const snap = meter.m.update(offset);
              ctx.progress({ kind: 'models', phase: 'pull', ...snap });
              if (sinceCheckpoint >= checkpointBytes) {
                sinceCheckpoint = 0;
                await checkpoint(false);
              }
              if (sinceGuard >= guardEvery) {
                sinceGuard = 0;
                await o.guard(expectedSize !== undefined ? expectedSize - offset : 0, expectedSize);
              }
            },
            (err: unknown) => {
              inFlight = 0;
              if (before) hot = before;
              throw err;
            },
          );
          // Seen by settle(); not an unhandled rejection meanwhile.
          pending.catch(() => {});
          cur ^= 1;
          batch = batches[cur]!;
          filled = 0;
        };
        try {
          for await (const c of res as AsyncIterable<Buffer>) {
            lastByteAt = performance.now();
            let at = 0;
            while (at < c.length) {
              const k = Math.min(c.length - at, BATCH - filled);
              c.copy(batch, filled, at, at + k);
              filled += k;
              at += k;
              if (filled === BATCH) await flush();
            }
            if (expectedSize !== undefined && offset + inFlight + filled > expectedSize)
              throw new KintsugiError(
                'MODEL_DOWNLOAD_FAILED',
                `the server sent more than ${expectedSize} bytes`,
              );
          }
        } catch (err) {
          // Keep what arrived intact: it is the next resume's start.
          if (!(err instanceof KintsugiError)) await flush().catch(() => {});
          await settle().catch(() => {});
          throw stalled ? new Error(`no bytes for ${stallMs / 1000} s (stalled)`) : err;
        } finally {
          clearInterval(timer);
        }
        await flush();
        await settle();
        if (expectedSize !== undefined && offset < expectedSize)
          throw new Error(`the connection closed at byte ${offset} of ${expectedSize}`);
      }
    }

    await fh.sync();
    const sha256 = hot ? hot.digest('hex') : await behind!.digest();
    behind!.stop();
    if (expectedSha && sha256 !== expectedSha) {
      // The record goes (its bytes are complete but wrong): the next pull starts over. The file stays, for a look.
      await removeDownloadState(statePath);
      throw new KintsugiError(
        'MODEL_CHECKSUM_MISMATCH',
        `${incomplete}: sha256 ${sha256}, expected ${expectedSha}`,
      );
    }
    await fh.close().catch(() => {});
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
    return { bytes: offset, sha256, fetched, resumedFrom, warnings };
  } finally {
    behind?.stop();
    await fh.close().catch(() => {});
  }
}

/** Why a record's sha256 state cannot be carried on (tampered, or not hash-wasm's), or undefined. */
async function stateProblem(s: DownloadState): Promise<string | undefined> {
  const hashed = s.hashedBytes ?? s.bytes;
  const buf = Buffer.from(s.hashState, 'base64');
  if (sha256StateBytes(buf) !== hashed)
    return `the record's sha256 state covers ${sha256StateBytes(buf) ?? 'no'} bytes, not the ${hashed} it claims`;
  try {
    (await createSHA256()).load(buf);
  } catch (err) {
    return `the record's sha256 state cannot be loaded (${(err as Error).message})`;
  }
  return undefined;
}

async function writeAt(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    try {
      const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
      done += bytesWritten;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        // Whatever part of this batch landed is dropped: the record still points at the last whole batch.
        await fh.truncate(position).catch(() => {});
        throw new KintsugiError('MODEL_STORAGE_REFUSED', `the disk filled up at byte ${position}`, {
          message: 'The disk is full — the pull stopped; the partial file is kept.',
        });
      }
      throw err;
    }
  }
}

export const removePartial = async (dest: string) => {
  const incomplete = `${dest}.incomplete`;
  await unlink(incomplete).catch(() => {});
  await removeDownloadState(statePathFor(incomplete));
};
