import { PassThrough, Writable } from 'node:stream';

// A job host's protocol over a message channel instead of stdio: Electron's utility process has no stdin (its
// parent talks through process.parentPort), and a Node fork has an IPC channel (process.send). Each message is
// one protocol line; these streams let the same server (server.ts) read and write them.

export interface MessageChannelLike {
  onMessage(listener: (data: unknown) => void): void;
  post(line: string): void;
}

export function streamsOver(channel: MessageChannelLike): { input: PassThrough; output: Writable } {
  const input = new PassThrough();
  channel.onMessage((data) => {
    if (typeof data === 'string') input.write(data.endsWith('\n') ? data : `${data}\n`);
  });
  const output = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      // The server writes one whole line per message.
      for (const line of String(chunk).split('\n')) if (line) channel.post(line);
      done();
    },
  });
  return { input, output };
}

/** The channel this process was given by its parent, if any: Electron's parentPort, else a Node IPC channel. */
export function parentChannel(): MessageChannelLike | undefined {
  const port = (
    process as {
      parentPort?: {
        on(e: 'message', l: (m: { data: unknown }) => void): void;
        postMessage(m: unknown): void;
      };
    }
  ).parentPort;
  if (port)
    return { onMessage: (l) => port.on('message', (m) => l(m.data)), post: (line) => port.postMessage(line) };
  if (typeof process.send === 'function') {
    const send = process.send.bind(process);
    return { onMessage: (l) => process.on('message', l), post: (line) => void send(line) };
  }
  return undefined;
}
