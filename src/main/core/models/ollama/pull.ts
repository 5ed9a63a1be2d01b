import type { Ollama } from 'ollama';
import { KintsugiError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/context';
import type { OllamaPullOptions } from '../ollama-backend';
import { fromClientError, isNotListening, responseStatus, unreachable } from './client-errors';
import { PullProgress } from './pull-progress';

// One pull, over as many posts as it takes. Ollama keeps the parts of a layer it has fetched and a re-posted pull
// of the same name continues from them, so a stall is handled by dropping the stream and posting again. The
// watchdog counts progress, not bytes on the wire: Ollama ticks the same numbers every 60 ms while its own download
// waits, so "lines keep coming" does not mean "the pull is moving".

/** Statuses of local disk work (hashing the blobs, writing the manifest): no lines come while it runs, for minutes
 * on a large model, and re-posting would only start it again, so the watchdog sleeps through them. */
const LOCAL_WORK = new Set(['verifying sha256 digest', 'writing manifest', 'removing unused layers']);

const STALL = Symbol('stall');
const CLIENT_DONE_WITHOUT_SUCCESS = 'Did not receive done or success response in stream.';

export interface PullDeps {
  host: string;
  /** A client whose requests also end when `signal` aborts: one per post. */
  client(signal: AbortSignal): Ollama;
}

type Outcome = 'success' | 'stalled' | 'dropped';

export async function pullWithRetries(
  deps: PullDeps,
  name: string,
  ctx: JobContext,
  opts: OllamaPullOptions = {},
): Promise<{ bytes: number; total: number }> {
  const stallMs = opts.stallMs ?? 30_000;
  const retries = opts.retries ?? 5;
  let backoff = opts.backoffMs ?? 1000;
  const progress = new PullProgress();
  let last: Outcome = 'dropped';

  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      ctx.log(
        `pull of ${name}: ${last === 'stalled' ? `no progress for ${stallMs} ms` : 'connection dropped'}, posting again in ${backoff} ms (${attempt}/${retries}); Ollama resumes`,
      );
      await sleep(backoff, ctx.signal);
      backoff *= 2;
    }
    try {
      last = await onePost(deps, name, ctx, progress, stallMs);
    } catch (err) {
      if (ctx.signal.aborted) throw cancelled(name, err);
      // Nothing listening: on the first post the server is not running; on a re-post after a drop, it went away
      // (stopped, crashed, the machine suspended). Re-posting into a closed port through the whole back-off ladder
      // (1+2+4+8+16 s) only delayed the answer by ~31 s and then called it a drop: say so now. Ollama keeps the
      // bytes it fetched; the next pull, once it runs again, resumes from them.
      if (isNotListening(err)) {
        if (attempt === 0) throw unreachable(deps.host, err);
        throw wentAway(deps.host, name, err);
      }
      throw err;
    }
    if (last === 'success') {
      const s = progress.snapshot();
      return { bytes: s.bytes, total: s.total };
    }
  }
  if (last === 'stalled')
    throw new KintsugiError(
      'MODELS_OLLAMA_STALLED',
      `${name}: no progress for ${stallMs} ms, ${retries + 1} times in a row`,
    );
  throw new KintsugiError(
    'MODELS_OLLAMA_PULL_FAILED',
    `${name}: the connection to Ollama dropped ${retries + 1} times`,
  );
}

/** One POST /api/pull read to its end; throws what must not be retried (the server's error, cancel). */
async function onePost(
  deps: PullDeps,
  name: string,
  ctx: JobContext,
  progress: PullProgress,
  stallMs: number,
): Promise<Outcome> {
  const attempt = new AbortController();
  const onCancel = (): void => attempt.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onCancel, { once: true });
  if (ctx.signal.aborted) onCancel();

  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => attempt.abort(STALL), stallMs);
  };
  arm();
  try {
    const stream = await deps.client(attempt.signal).pull({ model: name, stream: true });
    for await (const line of stream) {
      if (progress.update(line)) {
        if (LOCAL_WORK.has(line.status)) clearTimeout(timer);
        else arm();
      }
      const s = progress.snapshot();
      ctx.progress({ kind: 'models', phase: 'pull', ...s, message: s.status });
    }
    return 'success';
  } catch (err) {
    if (ctx.signal.aborted) throw cancelled(name, err);
    if (attempt.signal.reason === STALL) return 'stalled';
    const status = responseStatus(err);
    // An answer before the stream started (HTTP 4xx/5xx with Ollama's {"error"}): a bad name, a manifest the
    // registry does not have. Posting again would get the same answer.
    if (status !== undefined) throw pullFailed(name, err);
    // The client turns a stream's `{"error": ...}` line into a plain Error with the server's text: final too.
    if (err instanceof Error && err.constructor === Error && err.message !== CLIENT_DONE_WITHOUT_SUCCESS)
      throw pullFailed(name, err);
    if (isNotListening(err)) throw err;
    // The connection ended early (reset, or closed before `success`): resumable.
    return 'dropped';
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onCancel);
  }
}

function pullFailed(name: string, err: unknown): KintsugiError {
  const k = fromClientError('', `pull ${name}`, err);
  return new KintsugiError('MODELS_OLLAMA_PULL_FAILED', k.detail, { cause: err });
}

function wentAway(host: string, name: string, err: unknown): KintsugiError {
  const k = unreachable(host, err);
  return new KintsugiError(
    'MODELS_OLLAMA_UNREACHABLE',
    `${name}: Ollama dropped the pull and nothing answers at ${host} any more; it keeps the bytes fetched so far`,
    { cause: err, hint: `${k.hint} Then pull again: it resumes.` },
  );
}

function cancelled(name: string, err: unknown): KintsugiError {
  return new KintsugiError('CANCELLED', `pull of ${name} cancelled; Ollama keeps the bytes fetched so far`, {
    cause: err,
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted)
      return reject(new KintsugiError('CANCELLED', 'cancelled while waiting to retry the pull'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new KintsugiError('CANCELLED', 'cancelled while waiting to retry the pull'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
