import { randomBytes } from 'node:crypto';
import { KintsugiError, fromErrorPayload, isErrorPayload } from '../../shared/errors';
import type { Progress } from '../../shared/progress';
import type { JobRequest } from '../../shared/registry';
import type { JobContext } from '../core/jobs/context';
import type { JobExecutor } from '../core/jobs/executor';
import { cancelGraceMs, killedHostDetail } from './left-behind';
import type { HostMessage } from './protocol';
import type { HostExit, HostTransport } from './transport';

// The app's side of a job host (the privileged helper, the utility process): ONE process runs many jobs (one
// password prompt for a whole reflash). It is a JobExecutor, so main's job runner treats it like the in-process
// executor: events are relayed into the job's context, cancel follows the context's signal.
//
// This is the side that must always answer. The host does the device I/O, and a drive that stops answering
// leaves the host's I/O thread in uninterruptible sleep: no signal ends it until the I/O returns. So the client
// never waits on the host without a deadline: a cancel the host has not honoured within cancelGraceMs kills it
// and fails the job saying what was left; a job the host reported failed is settled at once, whether or not
// the host can still exit; close() waits a bounded time.

export interface JobHostClientOptions {
  /** What the host is called in errors. */
  name: string;
  /** Waiting for 'ready' covers a password prompt under pkexec, so it is long there. */
  readyTimeoutMs?: number;
  /** No line (heartbeat or event) for this long means the host is hung or gone: HELPER_FAILED. */
  heartbeatTimeoutMs?: number;
  /** What an exit before 'ready' means (pkexec's 126/127 for the helper). */
  earlyExit?(exit: HostExit, stderr: string): KintsugiError;
  /**
   * After a cancel, how long the host has to report the job's end before it is killed as stuck. By default
   * the time the job's own cancel path needs on a stalled drive (left-behind.ts cancelGraceMs: 5 s for a flash,
   * 10 s for a backup, whose busy mount must be detached first: a host killed before would leave it mounted).
   */
  cancelGraceMs?: number;
}

interface Pending {
  req: JobRequest;
  ctx: JobContext;
  /** The job's last progress: where it stood, should the host have to be killed. */
  last?: Progress;
  cancelTimer?: NodeJS.Timeout;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  detach(): void;
}

export class JobHostClient implements JobExecutor {
  readonly version: string;
  readonly pid: number;
  private readonly pending = new Map<string, Pending>();
  private failure?: KintsugiError;
  private lastSeen = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private exitedFlag = false;
  private killed = false;
  private seq = 0;
  private readonly prefix = randomBytes(4).toString('hex');

  protected constructor(
    private readonly transport: HostTransport,
    ready: { version: string; pid: number },
    attach: (onMessage: (m: HostMessage) => void) => void,
    private readonly opts: JobHostClientOptions,
  ) {
    this.version = ready.version;
    this.pid = ready.pid;
    attach((m) => this.onMessage(m));
    void transport.exited.then(({ code, signal }) => {
      this.exitedFlag = true;
      clearInterval(this.watchdog);
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const tail = transport.stderrTail().trim().slice(-2000);
      this.fail(new KintsugiError('HELPER_FAILED', `${opts.name} ${how}${tail ? `: ${tail}` : ''}`));
    });
    const heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 5_000;
    this.watchdog = setInterval(
      () => {
        const quiet = Date.now() - this.lastSeen;
        if (quiet > heartbeatTimeoutMs) {
          this.fail(
            new KintsugiError(
              'HELPER_FAILED',
              `no heartbeat from the ${opts.name} for ${Math.round(quiet / 1000)} s`,
            ),
          );
          this.kill();
        }
      },
      Math.min(1000, heartbeatTimeoutMs / 2),
    );
    this.watchdog.unref();
  }

  /** Waits for the host's 'ready'; an exit or a timeout before it becomes the matching error. */
  protected static async connect(
    transport: HostTransport,
    opts: JobHostClientOptions,
  ): Promise<{ ready: { version: string; pid: number }; attach: (fn: (m: HostMessage) => void) => void }> {
    let listener: (m: HostMessage) => void = () => {};
    transport.onLine((line) => {
      try {
        listener(JSON.parse(line) as HostMessage);
      } catch {
        // Not protocol: something printed to the channel. It shows up in errors through stderrTail.
      }
    });
    const readyTimeoutMs = opts.readyTimeoutMs ?? 15_000;
    const ready = await new Promise<{ version: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        transport.kill();
        reject(
          new KintsugiError(
            'HELPER_FAILED',
            `the ${opts.name} did not start within ${readyTimeoutMs / 1000} s: ${transport.stderrTail().trim()}`,
          ),
        );
      }, readyTimeoutMs);
      listener = (m) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve({ version: m.version, pid: m.pid });
        }
      };
      void transport.exited.then((exit) => {
        clearTimeout(timer);
        const stderr = transport.stderrTail();
        reject(
          exit.notFound
            ? new KintsugiError('TOOL_MISSING', `the ${opts.name}'s program is not installed or not on PATH`)
            : (opts.earlyExit?.(exit, stderr) ??
                new KintsugiError(
                  'HELPER_FAILED',
                  `the ${opts.name} exited before it was ready: ${stderr.trim()}`,
                )),
        );
      });
    });
    return { ready, attach: (fn) => (listener = fn) };
  }

  static async open(transport: HostTransport, opts: JobHostClientOptions): Promise<JobHostClient> {
    const { ready, attach } = await JobHostClient.connect(transport, opts);
    return new JobHostClient(transport, ready, attach, opts);
  }

  /** JobExecutor: runs one job in the host, relaying its progress and logs; cancel follows ctx.signal. */
  run(req: JobRequest, ctx: JobContext): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = `${this.prefix}-${++this.seq}`;
    return new Promise((resolve, reject) => {
      const graceMs = this.opts.cancelGraceMs ?? cancelGraceMs(req);
      const onAbort = () => {
        this.send({ id: `${id}-cancel`, op: 'cancel', jobId: id });
        const p = this.pending.get(id);
        if (p && !p.cancelTimer) {
          p.cancelTimer = setTimeout(() => this.killStuck(id, graceMs), graceMs);
          p.cancelTimer.unref();
        }
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const detach = () => ctx.signal.removeEventListener('abort', onAbort);
      this.pending.set(id, { req, ctx, resolve, reject, detach });
      this.send({ id, op: 'start', job: req });
      if (ctx.signal.aborted) onAbort();
    });
  }

  /**
   * Ends the host: shutdown request, input closed, then at most timeoutMs for its exit (jobs still running are
   * cancelled by it). A host still there after that is killed and left to the kernel: never awaited further.
   */
  async close(timeoutMs = 35_000): Promise<void> {
    clearInterval(this.watchdog);
    if (this.killed || this.exitedFlag) return;
    this.send({ op: 'shutdown' });
    this.transport.endInput();
    const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([this.transport.exited, timer]);
    if (!this.exitedFlag) this.kill();
  }

  get alive(): boolean {
    return !this.failure;
  }

  private send(msg: unknown): void {
    if (this.failure) return;
    this.transport.send(JSON.stringify(msg));
  }

  /** SIGKILL. A process blocked in the kernel stays until its I/O returns; nothing here waits for that. */
  private kill(): void {
    this.killed = true;
    this.transport.kill();
  }

  /** The cancel was not honoured in time: the host is stuck on a device. Kill it and say what was left. */
  private killStuck(id: string, waitedMs: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    const detail = killedHostDetail({
      host: this.opts.name,
      pid: this.pid,
      waitedMs,
      job: p.req,
      last: p.last,
    });
    this.kill();
    p.ctx.log(`Cancel not honoured: ${detail}`);
    this.fail(
      new KintsugiError('CANCELLED', detail, {
        hint: 'Unplug the drive (or wait for it to answer) before using it again; the stuck process then ends by itself.',
      }),
    );
  }

  private fail(err: KintsugiError): void {
    if (this.failure) return;
    this.failure = err;
    clearInterval(this.watchdog);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.cancelTimer);
      p.detach();
      p.reject(err);
    }
  }

  private onMessage(m: HostMessage): void {
    this.lastSeen = Date.now();
    if (!('jobId' in m) || m.type === 'cancelled') {
      if (m.type === 'error' && m.id) this.settle(m.id, undefined, m.error);
      return;
    }
    const p = this.pending.get(m.jobId);
    if (!p) return;
    if (m.type === 'progress') {
      p.last = m.progress;
      p.ctx.progress(m.progress);
    } else if (m.type === 'log') p.ctx.log(m.message, m.detail ? 'detail' : undefined);
    else if (m.type === 'done') this.settle(m.jobId, m.result);
    else if (m.type === 'failed') this.settle(m.jobId, undefined, m.error);
  }

  private settle(id: string, result: unknown, error?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.cancelTimer);
    p.detach();
    if (error !== undefined)
      p.reject(
        isErrorPayload(error) ? fromErrorPayload(error) : new KintsugiError('HELPER_FAILED', String(error)),
      );
    else p.resolve(result);
  }
}
