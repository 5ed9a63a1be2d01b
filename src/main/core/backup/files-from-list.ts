import { open } from 'node:fs/promises';
import { fsPath, type BytePath } from './byte-path';

// A list of paths for rsync's --files-from with --from0: each name's own bytes, NUL-terminated, so any name
// (newlines, bytes that are not UTF-8) reads back as itself. Written as it grows, 256 KiB at a time: the list of
// a big change stays out of memory. Entries may be added from several producers in any order (rsync sorts).

export interface FilesFromList {
  add(path: BytePath): void;
  /** Writes what is left and closes the file; the first write error, if any, is thrown here. */
  close(): Promise<void>;
  /** Closes without caring what was written (after a failure). */
  abort(): Promise<void>;
}

export async function createFilesFromList(path: string): Promise<FilesFromList> {
  const fh = await open(path, 'wx', 0o600);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let writes: Promise<unknown> = Promise.resolve();
  const flush = () => {
    const chunk = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    writes = writes.then(() => fh.write(chunk));
    writes.catch(() => undefined); // handled: close() throws it
  };
  return {
    add(p) {
      const b = fsPath(`${p}\0`);
      pending.push(b);
      pendingBytes += b.length;
      if (pendingBytes >= 256 * 1024) flush();
    },
    async close() {
      flush();
      try {
        await writes;
      } finally {
        await fh.close();
      }
    },
    async abort() {
      await writes.catch(() => undefined);
      await fh.close().catch(() => undefined);
    },
  };
}
