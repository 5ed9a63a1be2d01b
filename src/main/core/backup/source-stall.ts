import { readFile, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { JobContext } from '../jobs/context';

// A drive that stops answering does not fail a read: the read just waits in the kernel, and so does rsync (in
// uninterruptible sleep, where no signal reaches it). rsync's own --timeout does not catch it either: rsync's
// other processes keep each other alive. The kernel's block statistics do: requests in flight on the drive
// while none completes for the whole deadline means the drive stopped answering, whoever is waiting on it.

/** /sys/block/<name>/stat: field 0 reads completed, 4 writes completed, 8 requests in flight. */
export function parseBlockStat(text: string): { completed: number; inFlight: number } {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 9 || f.slice(0, 9).some((n) => !Number.isFinite(n)))
    throw new Error(`not a block stat line: ${JSON.stringify(text.slice(0, 80))}`);
  return { completed: f[0]! + f[4]!, inFlight: f[8]! };
}

export interface StallWatch {
  /** Rejects with BACKUP_FAILED (or `code`) once the drive stopped answering for the deadline; never resolves. */
  stalled: Promise<never>;
  stop(): void;
}

/**
 * Watches DEVICE (a whole drive: its counters include its partitions) once per pollMs: requests waiting and no
 * request completed for stallMs is a stall. A drive that is merely slow completes requests, so it never trips.
 */
export interface StallOptions {
  stallMs: number;
  pollMs?: number;
  code?: 'BACKUP_FAILED' | 'RESTORE_FAILED';
  /** What the drive is to the job ("backup source"), for the error. */
  role: string;
  /** What the job leaves when it fails this way, appended to the error's detail. */
  leftBehind?: string;
}

export async function watchSourceStall(device: string, opts: StallOptions): Promise<StallWatch> {
  const statFile = `/sys/class/block/${basename(await realpath(device))}/stat`;
  const read = async () => parseBlockStat(await readFile(statFile, 'utf8'));
  let last = await read();
  let quietSince = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      void read().then(
        (now) => {
          if (now.completed !== last.completed || now.inFlight === 0) quietSince = Date.now();
          last = now;
          const quiet = Date.now() - quietSince;
          if (quiet < opts.stallMs) return;
          clearInterval(timer);
          reject(
            new KintsugiError(
              opts.code ?? 'BACKUP_FAILED',
              `the ${opts.role} ${device} stopped answering: ${now.inFlight} request(s) waiting and none completed for ${Math.round(quiet / 1000)} s${opts.leftBehind ? `; ${opts.leftBehind}` : ''}`,
              { hint: 'Check the drive and its cable or port, reconnect it, then start again.' },
            ),
          );
        },
        () => undefined, // the drive's entry vanished: the reads fail on their own, with their own error
      );
    }, opts.pollMs ?? 1000);
    timer.unref();
  });
  stalled.catch(() => undefined); // nobody may be racing it when it fires
  return { stalled, stop: () => clearInterval(timer) };
}

/** After a cancel, how long the work has to end before the job stops waiting for it and cleans up around it. */
const CANCEL_GRACE_MS = 2_500;

/**
 * Runs work (with a signal of its own) while DEVICE answers. Two ways out that do not wait for work to return,
 * since a part of it (rsync, a directory walk) may be stuck in the kernel on that device: a stall fails the job
 * with the watch's error; a cancel that work has not honoured within CANCEL_GRACE_MS ends it CANCELLED. Either
 * way work is told to stop (rsync is killed) and the caller's cleanup runs at once (withMountedPersistence:
 * unmount, lazily while the stuck reader keeps the filesystem busy), so nothing stays mounted for good.
 * No device (a folder): work runs as is, rsync's --timeout being its deadline.
 */
export async function whileDeviceAnswers<T>(
  device: string | undefined,
  opts: StallOptions,
  ctx: JobContext,
  work: (ctx: JobContext) => Promise<T>,
): Promise<T> {
  if (!device) return work(ctx);
  const watch = await watchSourceStall(device, opts);
  const stop = new AbortController();
  const job = work({ ...ctx, signal: AbortSignal.any([ctx.signal, stop.signal]) });
  let timer: NodeJS.Timeout | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    const onAbort = () => {
      timer = setTimeout(
        () =>
          reject(
            new KintsugiError(
              'CANCELLED',
              `the ${opts.role} ${device} did not let go within ${CANCEL_GRACE_MS / 1000} s of the cancel: a process reading it is stuck in the kernel and ends when the drive answers or is removed${opts.leftBehind ? `; ${opts.leftBehind}` : ''}`,
            ),
          ),
        CANCEL_GRACE_MS,
      );
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([job, watch.stalled, cancelled]);
  } catch (err) {
    stop.abort();
    job.catch(() => undefined); // it ends (or not) on its own; its error is not the one to report
    throw err;
  } finally {
    clearTimeout(timer);
    watch.stop();
  }
}
