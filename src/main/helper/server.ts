import type { Readable, Writable } from 'node:stream';
import { KintsugiError, toErrorPayload } from '../../shared/errors';
import type { JobRequest } from '../../shared/jobs';
import type { JobContext } from '../core/jobs/context';
import { JobRunner } from '../core/jobs/job-runner';
import { parseJobRequest, type ParsedJobRequest } from '../core/jobs/request';
import {
  HEARTBEAT_MS,
  isHelperJob,
  MAX_LINE_BYTES,
  helperRequest,
  lineSplitter,
  type HelperMessage,
} from './protocol';

// The privileged side of the NDJSON protocol, free of process globals so tests can drive it over PassThrough
// streams. It trusts nothing it reads: every line is parsed with zod, only HELPER_JOBS run, and each job is
// authorized (authorize.ts: every path checked and made canonical) before core is called with the authorized job
// (core checks drives again: two independent gates).

export interface HelperServerDeps {
  input: Readable;
  output: Writable;
  version: string;
  pid?: number;
  runJob(req: ParsedJobRequest, ctx: JobContext): Promise<unknown>;
  /**
   * Returns the job to run in place of the one received (canonical paths), or throws a KintsugiError when a
   * parameter must not be used as root: authorizeHelperJob (authorize.ts) in production.
   */
  authorize(job: ParsedJobRequest): Promise<ParsedJobRequest>;
  heartbeatMs?: number;
  /** How long to wait for cancelled jobs to wind down when the parent goes away. */
  exitGraceMs?: number;
}

export type HelperExitReason = 'stdin-closed' | 'shutdown' | 'output-closed';

export function serveHelper(deps: HelperServerDeps): Promise<HelperExitReason> {
  let pendingId = '';
  const runner = new JobRunner({ newId: () => pendingId });
  let outputOpen = true;

  const send = (msg: HelperMessage) => {
    if (!outputOpen) return;
    try {
      deps.output.write(JSON.stringify(msg) + '\n');
    } catch {
      outputOpen = false;
    }
  };
  runner.onEvent((e) => send(e));

  const executor = {
    run: async (req: JobRequest, ctx: JobContext) => {
      // Core gets the authorized job only: the paths that were checked, not the ones that were sent.
      const job = await deps.authorize(parseJobRequest(req));
      if (ctx.signal.aborted) throw new KintsugiError('CANCELLED');
      return deps.runJob(job, ctx);
    },
  };

  const invalid = (detail: string, id?: string) =>
    send({
      type: 'error',
      ...(id ? { id } : {}),
      error: new KintsugiError('INVALID_ARGUMENT', detail).toPayload(),
    });

  let finish!: (reason: HelperExitReason) => void;
  const done = new Promise<HelperExitReason>((resolve) => (finish = resolve));
  let stopping = false;

  const stop = async (reason: HelperExitReason) => {
    if (stopping) return;
    stopping = true;
    clearInterval(beat);
    // Parent gone or shutdown: cancel whatever runs and give it a moment to unmount / close the device.
    const grace = new Promise((r) => setTimeout(r, deps.exitGraceMs ?? 30_000).unref());
    await Promise.race([runner.cancelAll(), grace]);
    finish(reason);
  };

  const handleLine = (line: string) => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return invalid('request is not valid JSON');
    }
    const parsed = helperRequest.safeParse(raw);
    if (!parsed.success) {
      const id =
        typeof (raw as { id?: unknown })?.id === 'string'
          ? (raw as { id: string }).id.slice(0, 100)
          : undefined;
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'op';
      return invalid(`request: ${where}: ${issue?.message ?? 'invalid'}`, id);
    }
    const req = parsed.data;
    if (req.op === 'shutdown') return void stop('shutdown');
    if (req.op === 'cancel') {
      const running = runner.cancel(req.jobId);
      if (!running && !runner.status(req.jobId))
        return invalid(`cancel: unknown job id ${req.jobId}`, req.id);
      return send({ type: 'cancelled', id: req.id, jobId: req.jobId, running });
    }
    // op === 'start': the job id is the request id, so the client can match events without a round trip.
    const fail = (err: unknown) => send({ jobId: req.id, type: 'failed', error: toErrorPayload(err) });
    if (stopping) return fail(new KintsugiError('CANCELLED', 'the helper is shutting down'));
    if (runner.status(req.id))
      return fail(new KintsugiError('INVALID_ARGUMENT', `job id ${req.id} already used`));
    let job: ParsedJobRequest;
    try {
      job = parseJobRequest(req.job);
    } catch (err) {
      return fail(err);
    }
    if (!isHelperJob(job.type)) {
      return fail(
        new KintsugiError('INVALID_ARGUMENT', `job type ${job.type} is not run by the privileged helper`),
      );
    }
    pendingId = req.id;
    runner.start(job as JobRequest, executor);
  };

  const splitter = lineSplitter(
    (line) => {
      try {
        handleLine(line);
      } catch (err) {
        send({ type: 'error', error: toErrorPayload(err) });
      }
    },
    () => invalid(`request line longer than ${MAX_LINE_BYTES} bytes was dropped`),
  );

  deps.input.on('data', (chunk: Buffer) => splitter.push(chunk));
  deps.input.on('end', () => {
    splitter.end();
    void stop('stdin-closed');
  });
  deps.input.on('close', () => void stop('stdin-closed'));
  deps.input.on('error', () => void stop('stdin-closed'));
  deps.output.on('error', () => {
    outputOpen = false;
    void stop('output-closed');
  });

  const beat = setInterval(
    () => send({ type: 'heartbeat', t: Date.now() }),
    deps.heartbeatMs ?? HEARTBEAT_MS,
  );
  send({ type: 'ready', version: deps.version, pid: deps.pid ?? process.pid });
  return done;
}
