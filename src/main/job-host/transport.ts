// How a job host client reaches its process: lines out, lines in, and how the process ended. A child process
// speaks over stdin/stdout (child-transport.ts); Electron's utility process over its message port
// (src/main/utility-process.ts). The client (client.ts) is the same for all of them.

export interface HostExit {
  code: number | null;
  signal: string | null;
  /** The program to start was not found (ENOENT). */
  notFound?: boolean;
}

export interface HostTransport {
  /** Sends one request line (without its newline). Dropped once the host is gone. */
  send(line: string): void;
  /** Receives every message line; set once by the client. */
  onLine(listener: (line: string) => void): void;
  /** The last few KiB the host wrote on stderr, for error details. */
  stderrTail(): string;
  readonly exited: Promise<HostExit>;
  /** Closes the request side: the host treats it as "parent gone" and winds down. */
  endInput(): void;
  kill(): void;
}
