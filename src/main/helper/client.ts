import { childTransport } from '../job-host/child-transport';
import { JobHostClient } from '../job-host/client';
import { earlyExitError, helperCommand, type HelperLaunchOptions } from './launch';

// The privileged helper as main reaches it: a job host started directly (already root) or through pkexec, whose
// exit before 'ready' means what pkexec says (126 dismissed, 127 not authorised). No 'electron' import: main
// passes the launcher path in.

export interface HelperClientOptions extends HelperLaunchOptions {
  readyTimeoutMs?: number;
  heartbeatTimeoutMs?: number;
  uid?: number;
}

export class HelperClient extends JobHostClient {
  /** Starts the helper and resolves once it said 'ready'. */
  static async start(opts: HelperClientOptions = {}): Promise<HelperClient> {
    const cmd = helperCommand(opts, opts.uid ?? process.getuid?.());
    const hostOpts = {
      name: 'helper',
      // Waiting for 'ready' covers the password prompt under pkexec.
      readyTimeoutMs: opts.readyTimeoutMs ?? (cmd.viaPkexec ? 300_000 : 15_000),
      ...(opts.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: opts.heartbeatTimeoutMs } : {}),
      earlyExit: (exit: { code: number | null; signal: string | null }, stderr: string) =>
        earlyExitError(cmd.viaPkexec, exit.code, exit.signal, stderr),
    };
    const transport = childTransport(cmd);
    const { ready, attach } = await JobHostClient.connect(transport, hostOpts);
    return new HelperClient(transport, ready, attach, hostOpts);
  }
}
