import type { Writable } from 'node:stream';
import { fsPath, type BytePath } from './byte-path';

// A list of paths for rsync's --files-from with --from0: each name's own bytes, NUL-terminated, so any name
// (newlines, bytes that are not UTF-8) reads back as itself. Written as it grows, to a file or to rsync's stdin:
// the list of a big change stays out of this process's memory. Entries may be in any order (rsync sorts).

export interface FilesFromList {
  add(path: BytePath): void;
  /** Writes what is left and ends the list. */
  close(): Promise<void>;
  /** Closes without caring what was written (after a failure). */
  abort(): Promise<void>;
}

/**
 * The list written to rsync's stdin (`--files-from=-`) as it is made: rsync starts, reads and stats the
 * names while the walk still lists them, so its start (~40 ms from here) is not paid after the walk. Names added
 * before the stream is given are held until then; written 64 KiB at a time. The pipe's buffer is rsync's to
 * drain (it reads as it goes); an rsync that exited early makes the writes fail, which its exit code reports.
 */
export function streamedFilesFromList(): FilesFromList & { feed(out: Writable): void } {
  let out: Writable | undefined;
  // Byte paths (one latin1 char per byte), each NUL-terminated: one Buffer per flush, not one per name.
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (!out || pendingBytes === 0) return;
    out.write(fsPath(pending.join('')));
    pending = [];
    pendingBytes = 0;
  };
  return {
    feed(stream) {
      out = stream;
      flush();
    },
    add(p) {
      pending.push(`${p}\0`);
      pendingBytes += p.length + 1;
      if (pendingBytes >= 64 * 1024) flush();
    },
    async close() {
      flush();
      const stream = out;
      if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
    },
    async abort() {
      out?.destroy();
    },
  };
}
