import { randomBytes } from 'node:crypto';
import { KintsugiError, fromErrorPayload, isErrorPayload } from '../../shared/errors';
import type { JobRequest } from '../../shared/jobs';
import type { JobContext } from '../core/jobs/context';
import type { JobExecutor } from '../core/jobs/executor';
import { spawnTool } from '../core/util/run-tool';
import { earlyExitError, helperCommand, type HelperLaunchOptions } from './launch';
import { lineSplitter, type HelperMessage } from './protocol';

// The unprivileged side: starts ONE helper process (one password prompt for a whole wizard run) and runs jobs
// through it. It is a JobExecutor, so the JobRunner treats it exactly like the in-process executor.
// No 'electron' import: main passes nodePath/helperPath/launcherPath in.

export interface HelperClientOptions extends HelperLaunchOptions {
  /** Waiting for 'ready' covers the password prompt under pkexec, so it is long there. */
  readyTimeoutMs?: number;
  /** No line (heartbeat or event) for this long means the helper is hung or gone: HELPER_FAILED. */
  heartbeatTimeoutMs?: number;
  uid?: number;
}

interface Pending {
  ctx: JobContext;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  detach(): void;
}

type Child = ReturnType<typeof spawnTool>;

export class HelperClient implements JobExecutor {
  readonly version: string;
  readonly pid: number;
  private readonly pending = new Map<string, Pending>();
  private failure?: KintsugiError;
  private lastSeen = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private readonly exited: Promise<void>;
  private seq = 0;
  private readonly prefix = randomBytes(4).toString('hex');

  private constructor(
    private readonly child: Child,
    ready: { version: string; pid: number },
    private readonly stderrTail: () => string,
    exited: Promise<{ code: number | null; signal: string | null }>,
    attach: (onMessage: (m: HelperMessage) => void) => void,
    heartbeatTimeoutMs: number,
  ) {
    this.version = ready.version;
    this.pid = ready.pid;
    attach((m) => this.onMessage(m));
    this.exited = exited.then(({ code, signal }) => {
      clearInterval(this.watchdog);
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const tail = this.stderrTail().trim().slice(-2000);
      this.fail(new KintsugiError('HELPER_FAILED', `helper ${how}${tail ? `: ${tail}` : ''}`));
    });
    this.watchdog = setInterval(
      () => {
        const quiet = Date.now() - this.lastSeen;
        if (quiet > heartbeatTimeoutMs) {
          this.fail(
            new KintsugiError(
              'HELPER_FAILED',
              `no heartbeat from the helper for ${Math.round(quiet / 1000)} s`,
            ),
          );
          this.kill();
        }
      },
      Math.min(1000, heartbeatTimeoutMs / 2),
    );
    this.watchdog.unref();
  }

  /** Starts the helper and resolves once it said 'ready'; maps pkexec's 126/127 and early deaths to errors. */
  static async start(opts: HelperClientOptions = {}): Promise<HelperClient> {
    const cmd = helperCommand(opts, opts.uid ?? process.getuid?.());
    const child = spawnTool(cmd.file, cmd.args, {
      env: cmd.env,
      extendEnv: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-8192);
    });
    // Exit code and signal, however the process ended (including 'pkexec' not found).
    const exited = Promise.resolve(child).then(
      (r) => ({
        code: (r.exitCode ?? null) as number | null,
        signal: (r.signal ?? null) as string | null,
        r,
      }),
      (e: { exitCode?: number; signal?: string; code?: string; message?: string }) => ({
        code: e.exitCode ?? null,
        signal: e.signal ?? null,
        r: e,
      }),
    );
    let listener: (m: HelperMessage) => void = () => {};
    const splitter = lineSplitter(
      (line) => {
        let msg: HelperMessage;
        try {
          msg = JSON.parse(line) as HelperMessage;
        } catch {
          stderr = (stderr + `\n[stdout] ${line.slice(0, 500)}`).slice(-8192);
          return;
        }
        listener(msg);
      },
      () => {},
      16 * 1024 * 1024,
    );
    child.stdout?.on('data', (c: Buffer) => splitter.push(c));
    child.stdin?.on('error', () => {});

    const readyTimeoutMs = opts.readyTimeoutMs ?? (cmd.viaPkexec ? 300_000 : 15_000);
    const ready = await new Promise<{ version: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(
          new KintsugiError(
            'HELPER_FAILED',
            `helper did not start within ${readyTimeoutMs / 1000} s: ${stderr.trim()}`,
          ),
        );
      }, readyTimeoutMs);
      listener = (m) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve({ version: m.version, pid: m.pid });
        }
      };
      void exited.then(({ code, signal, r }) => {
        clearTimeout(timer);
        const notFound = (r as { code?: string }).code === 'ENOENT';
        if (notFound)
          reject(new KintsugiError('TOOL_MISSING', `${cmd.file} is not installed or not on PATH`));
        else reject(earlyExitError(cmd.viaPkexec, code, signal, stderr));
      });
    });
    return new HelperClient(
      child,
      ready,
      () => stderr,
      exited.then(({ code, signal }) => ({ code, signal })),
      (fn) => (listener = fn),
      opts.heartbeatTimeoutMs ?? 5_000,
    );
  }

  /** JobExecutor: runs one job in the helper, relaying its progress and logs; cancel follows ctx.signal. */
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

  /** Ends the helper: shutdown request, stdin closed, wait for the exit (jobs still running are cancelled by it). */
  async close(timeoutMs = 35_000): Promise<void> {
    this.send({ op: 'shutdown' });
    this.child.stdin?.end();
    const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([this.exited, timer]);
    clearInterval(this.watchdog);
    if (this.child.exitCode === null) this.kill();
  }

  get alive(): boolean {
    return !this.failure;
  }

  private kill(): void {
    this.child.stdin?.destroy();
    this.child.kill('SIGKILL');
  }

  private send(msg: unknown): void {
    if (this.failure || !this.child.stdin?.writable) return;
    this.child.stdin.write(JSON.stringify(msg) + '\n');
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

  private onMessage(m: HelperMessage): void {
    this.lastSeen = Date.now();
    if (!('jobId' in m) || m.type === 'cancelled') {
      if (m.type === 'error' && m.id) this.settle(m.id, undefined, m.error);
      return;
    }
    const p = this.pending.get(m.jobId);
    if (!p) return;
    if (m.type === 'progress') p.ctx.progress(m.progress);
    else if (m.type === 'log') p.ctx.log(m.message);
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
