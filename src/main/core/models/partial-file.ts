import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';

// The `.incomplete` file of a download and the sha256 of what it holds: `hash` always covers bytes
// [0, `offset`), and `offset` moves only once bytes are on the file, so whatever fails, the two agree and the
// next attempt continues from there. node's crypto (SHA-NI) hashes, on the calling thread while the next batch
// arrives; writes are batches of the socket's own chunks (writev: no copy), in libuv's pool.

export class PartialFile {
  private constructor(
    readonly fh: FileHandle,
    public offset: number,
    public hash: Hash,
  ) {}

  /** Opens `path` cut to `from.bytes`, whose sha256 so far is `from.hash` (a new one for 0 bytes). */
  static async open(path: string, from: { bytes: number; hash: Hash }): Promise<PartialFile> {
    const fh = await open(path, from.bytes > 0 ? 'r+' : 'w', 0o644);
    try {
      await fh.truncate(from.bytes);
    } catch (err) {
      await fh.close();
      throw err;
    }
    return new PartialFile(fh, from.bytes, from.hash);
  }

  /** Writes `chunks` (`n` bytes) at the end; once they are on the file, hashes them and moves the end. */
  async append(chunks: Buffer[], n: number): Promise<void> {
    const at = this.offset;
    try {
      const { bytesWritten } = await this.fh.writev(chunks, at);
      // A short writev (the disk filled up part-way) is finished piece by piece, which then fails with ENOSPC.
      if (bytesWritten < n)
        await this.writeRest(Buffer.concat(chunks, n).subarray(bytesWritten), at + bytesWritten);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        // Whatever part of this batch landed is dropped: the file ends where its hash does.
        await this.fh.truncate(at).catch(() => {});
        throw new KintsugiError('MODEL_STORAGE_REFUSED', `the disk filled up at byte ${at}`, {
          message: 'The disk is full — the pull stopped; the partial file is kept.',
        });
      }
      throw err;
    }
    for (const c of chunks) this.hash.update(c);
    this.offset = at + n;
  }

  /** Back to an empty file and a new hash (the server's file changed, or it ignored the range). */
  async restart(): Promise<void> {
    await this.fh.truncate(0);
    this.offset = 0;
    this.hash = createHash('sha256');
  }

  close(): Promise<void> {
    return this.fh.close().catch(() => {});
  }

  private async writeRest(buf: Buffer, position: number): Promise<void> {
    for (let done = 0; done < buf.length;) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, position + done);
      done += bytesWritten;
    }
  }
}
