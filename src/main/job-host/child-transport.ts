import { spawnTool } from '../core/util/run-tool';
import { lineSplitter } from './protocol';
import type { HostExit, HostTransport } from './transport';

// A job host as a child process speaking NDJSON over stdin/stdout: the privileged helper (direct or via pkexec)
// and the utility process outside Electron (tests, a plain-Node main).

export function childTransport(cmd: { file: string; args: string[]; env: NodeJS.ProcessEnv }): HostTransport {
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
  // Exit code and signal, however the process ended (including the program not being found).
  const exited: Promise<HostExit> = Promise.resolve(child).then(
    // With reject: false, a program that is not there resolves too, with code ENOENT.
    (r) => ({
      code: (r.exitCode ?? null) as number | null,
      signal: (r.signal ?? null) as string | null,
      notFound: (r as { code?: string }).code === 'ENOENT',
    }),
    (e: { exitCode?: number; signal?: string; code?: string }) => ({
      code: e.exitCode ?? null,
      signal: e.signal ?? null,
      notFound: e.code === 'ENOENT',
    }),
  );
  let listener: (line: string) => void = () => {};
  // Messages can be big (a job's result); the host's own limit for requests is MAX_LINE_BYTES.
  const splitter = lineSplitter(
    (line) => listener(line),
    () => {},
    16 * 1024 * 1024,
  );
  child.stdout?.on('data', (c: Buffer) => splitter.push(c));
  child.stdin?.on('error', () => {});
  return {
    send(line) {
      if (child.stdin?.writable) child.stdin.write(line + '\n');
    },
    onLine(l) {
      listener = l;
    },
    stderrTail: () => stderr,
    exited,
    endInput: () => child.stdin?.end(),
    kill() {
      child.stdin?.destroy();
      child.kill('SIGKILL');
    },
  };
}
