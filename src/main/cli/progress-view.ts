import type { JobEvent } from '../../shared/registry';
import { printable, progressLine } from './format';
import type { CliIo } from './io';

// Shows job events: NDJSON on stdout (--json --progress), a line rewritten with \r on a terminal (stderr, so
// stdout stays clean for results), or only headings and log lines when stderr is a file or a pipe.

export interface ProgressView {
  event(e: JobEvent): void;
  /** A step of a multi-step run (reflash): never throttled away, always shown. */
  heading(message: string): void;
  end(): void;
}

export function progressView(io: CliIo, opts: { json: boolean; progress: boolean }): ProgressView {
  if (opts.json) {
    const out = (v: unknown) => {
      if (opts.progress) io.stdout.write(JSON.stringify(v) + '\n');
    };
    return { event: out, heading: (message) => out({ type: 'step', message }), end: () => {} };
  }
  const tty = Boolean(io.stderr.isTTY);
  let open = false; // a \r line is on screen
  const clear = () => {
    if (open) io.stderr.write('\r\x1b[K');
    open = false;
  };
  return {
    event(e) {
      if (e.type === 'log') {
        if (e.detail) return; // a tool's stderr: kept in the job's log (`kintsugi jobs log ID`), not shown here
        clear();
        io.stderr.write(`${printable(e.message)}\n`);
      } else if (e.type === 'progress') {
        if (!tty) return;
        const line = progressLine(e.progress);
        const width = io.stderr.columns ?? 100;
        io.stderr.write(`\r\x1b[K${printable(line).slice(0, Math.max(20, width - 1))}`);
        open = true;
      }
    },
    heading(message) {
      clear();
      io.stderr.write(`==> ${printable(message)}\n`);
    },
    end: () => {
      if (open) io.stderr.write('\n');
      open = false;
    },
  };
}
