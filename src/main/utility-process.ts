import { utilityProcess } from 'electron';
import type { HostExit, HostTransport } from './job-host/transport';
import { utilityEnv, type UtilityOptions } from './utility/client';

// The utility process as Electron runs it: utilityProcess.fork (a Chromium service process with Node), spoken to
// through its message port because it has no stdin. One protocol line per message; stderr is piped for errors.

export function electronUtilityTransport(modulePath: string, opts: UtilityOptions = {}): HostTransport {
  const child = utilityProcess.fork(modulePath, [], {
    stdio: 'pipe',
    serviceName: 'Kintsugi Updater utility',
    env: utilityEnv(opts),
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-8192);
  });
  let listener: (line: string) => void = () => {};
  child.on('message', (m: unknown) => {
    if (typeof m === 'string') listener(m);
  });
  let alive = true;
  const exited = new Promise<HostExit>((resolve) =>
    child.once('exit', (code: number) => {
      alive = false;
      resolve({ code, signal: null });
    }),
  );
  return {
    send(line) {
      if (alive) child.postMessage(line);
    },
    onLine(l) {
      listener = l;
    },
    stderrTail: () => stderr,
    exited,
    // No stdin to close: the client's 'shutdown' request ends it, and kill() is the fallback.
    endInput: () => {},
    kill: () => void child.kill(),
  };
}
