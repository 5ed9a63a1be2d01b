import { open, type FileHandle } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import { DownloadSha256, type Sha256From } from './download-sha256';

// The `.incomplete` file of a download and the sha256 of what it holds: `hash` is given bytes [0, `offset`)
// (download-sha256.ts), and `offset` moves only once bytes are on the file, so whatever fails, the two agree and
// the next attempt continues from there. Writes are batches of the socket's own chunks (writev: no copy), in
// libuv's pool; the hot-path hash runs on the calling thread while the next batch arrives.

export class PartialFile {
  private constructor(
    readonly fh: FileHandle,
    public offset: number,
    readonly hash: DownloadSha256,
  ) {}

  /** Opens `path` cut to `from.bytes`; its sha256 carries on from `from.hashed` (see DownloadSha256). */
  static async open(path: string, from: Sha256From, hashPauseAt?: number): Promise<PartialFile> {
    const fh = await open(path, from.bytes > 0 ? 'r+' : 'w', 0o644);
    try {
      await fh.truncate(from.bytes);
      return new PartialFile(fh, from.bytes, await DownloadSha256.start(path, from, hashPauseAt));
    } catch (err) {
      await fh.close();
      throw err;
    }
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
    this.offset = at + n;
    this.hash.appended(chunks, this.offset);
  }

  /** Back to an empty file and a new hash (the server's file changed, or it ignored the range). */
  async restart(): Promise<void> {
    await this.fh.truncate(0);
    this.offset = 0;
    await this.hash.restart();
  }

  /** Closes the file and stops the hash (its digest, if wanted, was taken before). */
  close(): Promise<void> {
    this.hash.stop();
    return this.fh.close().catch(() => {});
  }

  private async writeRest(buf: Buffer, position: number): Promise<void> {
    for (let done = 0; done < buf.length;) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, position + done);
      done += bytesWritten;
    }
  }
}
