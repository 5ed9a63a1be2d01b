import { createInterface } from 'node:readline';
import type { JobExecutor } from '../core/jobs/executor';
import type { DeviceHostOptions } from './device-host-client';

// Everything the CLI touches in the outside world, injected so main() runs in-process in tests.

export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  stdinIsTTY: boolean;
  /** Reads one line typed at the terminal; null on end of input or Ctrl-C. */
  readLine(prompt: string): Promise<string | null>;
  /** Aborted on SIGINT: the running job is cancelled and the CLI exits 130. */
  signal: AbortSignal;
  getuid(): number | undefined;
  cwd: string;
  /** The environment (XDG_STATE_HOME, HOME: where the job journal lives). */
  env: Record<string, string | undefined>;
  /** Where jobs run; core in this process by default. */
  executor?: JobExecutor;
  /** The device host to start (tests: a stand-in program); out/main/device-host.js by default. */
  deviceHost?: DeviceHostOptions;
}

/** The real process; `interrupt` is aborted by SIGINT (index.ts) and by Ctrl-C at the confirmation prompt. */
export function nodeIo(interrupt: AbortController): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    readLine: (prompt) =>
      new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
        let answer: string | null = null;
        // In raw mode Ctrl-C reaches readline, not the process: treat it like SIGINT.
        rl.on('SIGINT', () => {
          interrupt.abort();
          rl.close();
        });
        rl.on('close', () => {
          if (answer === null) process.stderr.write('\n');
          resolve(answer);
        });
        rl.question(prompt, (a) => {
          answer = a;
          rl.close();
        });
      }),
    signal: interrupt.signal,
    getuid: () => process.getuid?.(),
    cwd: process.cwd(),
    env: process.env,
  };
}
