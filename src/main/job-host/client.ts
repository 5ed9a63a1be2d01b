import { randomBytes } from 'node:crypto';
import { KintsugiError, fromErrorPayload, isErrorPayload } from '../../shared/errors';
import type { JobRequest } from '../../shared/registry';
import type { JobContext } from '../core/jobs/context';
import type { JobExecutor } from '../core/jobs/executor';
import type { HostMessage } from './protocol';
import type { HostExit, HostTransport } from './transport';

// The app's side of a job host (the privileged helper, the utility process): ONE process runs many jobs (one
// password prompt for a whole reflash). It is a JobExecutor, so main's job runner treats it like the in-process
// executor: events are relayed into the job's context, cancel follows the context's signal.

export interface JobHostClientOptions {
  /** What the host is called in errors. */
  name: string;
  /** Waiting for 'ready' covers a password prompt under pkexec, so it is long there. */
  readyTimeoutMs?: number;
  /** No line (heartbeat or event) for this long means the host is hung or gone: HELPER_FAILED. */
  heartbeatTimeoutMs?: number;
  /** What an exit before 'ready' means (pkexec's 126/127 for the helper). */
  earlyExit?(exit: HostExit, stderr: string): KintsugiError;
}

interface Pending {
  ctx: JobContext;
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
          transport.kill();
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
      const onAbort = () => this.send({ id: `${id}-cancel`, op: 'cancel', jobId: id });
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const detach = () => ctx.signal.removeEventListener('abort', onAbort);
      this.pending.set(id, { ctx, resolve, reject, detach });
      this.send({ id, op: 'start', job: req });
      if (ctx.signal.aborted) onAbort();
    });
  }

  /** Ends the host: shutdown request, input closed, wait for the exit (jobs still running are cancelled by it). */
  async close(timeoutMs = 35_000): Promise<void> {
    this.send({ op: 'shutdown' });
    this.transport.endInput();
    const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([this.transport.exited, timer]);
    clearInterval(this.watchdog);
    if (!this.exitedFlag) this.transport.kill();
  }

  get alive(): boolean {
    return !this.failure;
  }

  private send(msg: unknown): void {
    if (this.failure) return;
    this.transport.send(JSON.stringify(msg));
  }

  private fail(err: KintsugiError): void {
    if (this.failure) return;
    this.failure = err;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
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
    if (m.type === 'progress') p.ctx.progress(m.progress);
    else if (m.type === 'log') p.ctx.log(m.message, m.detail ? 'detail' : undefined);
    else if (m.type === 'done') this.settle(m.jobId, m.result);
    else if (m.type === 'failed') this.settle(m.jobId, undefined, m.error);
  }

  private settle(id: string, result: unknown, error?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.detach();
    if (error !== undefined)
      p.reject(
        isErrorPayload(error) ? fromErrorPayload(error) : new KintsugiError('HELPER_FAILED', String(error)),
      );
    else p.resolve(result);
  }
}
