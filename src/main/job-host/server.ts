import type { Readable, Writable } from 'node:stream';
import { KintsugiError, toErrorPayload } from '../../shared/errors';
import type { JobRequest } from '../../shared/jobs';
import type { JobContext } from '../core/jobs/context';
import { JobRunner } from '../core/jobs/job-runner';
import { parseJobRequest, type ParsedJobRequest } from '../core/jobs/request';
import { HEARTBEAT_MS, MAX_LINE_BYTES, hostRequest, lineSplitter, type HostMessage } from './protocol';

// The serving side of the NDJSON protocol, for both job hosts (the privileged helper, the utility process), free
// of process globals so tests can drive it over PassThrough streams. It trusts nothing it reads: every line is
// parsed with zod, only the host's own job types run (its whitelist, derived from the registry), and each job is
// authorized (the helper's authorize.ts: every path checked and made canonical) before core is called with the
// authorized job (core checks drives again: two independent gates).

export interface JobHostDeps {
  /** Named in refusals: "job type X is not run by <name>". */
  name: string;
  /** The job types this host runs (jobsOnHost(<host>)). */
  accepts(type: string): boolean;
  input: Readable;
  output: Writable;
  version: string;
  pid?: number;
  runJob(req: ParsedJobRequest, ctx: JobContext): Promise<unknown>;
  /**
   * Returns the job to run in place of the one received (canonical paths), or throws a KintsugiError when a
   * parameter must not be used: authorizeHelperJob (helper/authorize.ts) for the helper.
   */
  authorize(job: ParsedJobRequest): Promise<ParsedJobRequest>;
  heartbeatMs?: number;
  /** How long to wait for cancelled jobs to wind down when the parent goes away. */
  exitGraceMs?: number;
}

export type HostExitReason = 'stdin-closed' | 'shutdown' | 'output-closed';

export function serveJobHost(deps: JobHostDeps): Promise<HostExitReason> {
  let pendingId = '';
  const runner = new JobRunner({ newId: () => pendingId });
  let outputOpen = true;

  const send = (msg: HostMessage) => {
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

  let finish!: (reason: HostExitReason) => void;
  const done = new Promise<HostExitReason>((resolve) => (finish = resolve));
  let stopping = false;

  const stop = async (reason: HostExitReason) => {
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
    const parsed = hostRequest.safeParse(raw);
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
    if (stopping) return fail(new KintsugiError('CANCELLED', `${deps.name} is shutting down`));
    if (runner.status(req.id))
      return fail(new KintsugiError('INVALID_ARGUMENT', `job id ${req.id} already used`));
    let job: ParsedJobRequest;
    try {
      job = parseJobRequest(req.job);
    } catch (err) {
      return fail(err);
    }
    if (!deps.accepts(job.type)) {
      return fail(new KintsugiError('INVALID_ARGUMENT', `job type ${job.type} is not run by ${deps.name}`));
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
