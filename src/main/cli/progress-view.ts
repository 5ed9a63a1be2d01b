import type { JobEvent } from '../../shared/jobs';
import { progressLine } from './format';
import type { CliIo } from './io';

// Shows job events: NDJSON on stdout (--json --progress), a line rewritten with \r on a terminal (stderr, so
// stdout stays clean for results), or only step headings when stderr is a file or a pipe.

export interface ProgressView {
  event(e: JobEvent): void;
  end(): void;
}

export function progressView(io: CliIo, opts: { json: boolean; progress: boolean }): ProgressView {
  if (opts.json) {
    return {
      event: (e) => {
        if (opts.progress) io.stdout.write(JSON.stringify(e) + '\n');
      },
      end: () => {},
    };
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
        clear();
        io.stderr.write(`${e.message}\n`);
      } else if (e.type === 'progress') {
        const p = e.progress;
        if (p.kind === 'step') {
          clear();
          io.stderr.write(`==> ${p.message}\n`);
          return;
        }
        if (!tty) return;
        const line = progressLine(p);
        if (!line) return;
        const width = io.stderr.columns ?? 100;
        io.stderr.write(`\r\x1b[K${line.slice(0, Math.max(20, width - 1))}`);
        open = true;
      }
    },
    end: () => {
      if (open) io.stderr.write('\n');
      open = false;
    },
  };
}
