import { createHash, type Hash } from 'node:crypto';
import { Sha256Behind, type HashedAt } from './sha256-behind';

// The sha256 of a download, in two forms that agree: the digest at the end, and a savable state for the record
// (a resume loads it and re-reads only the bytes past it, never the whole kept prefix).
// - A fresh pull (from byte 0): node's crypto (SHA-NI) over each batch on the hot path gives the digest; a helper
//   thread (sha256-behind.ts, a quarter of a core) reads the written bytes back and keeps the savable state.
// - A resumed pull: node's crypto cannot load a state, so the thread, at full pace, loads the record's state,
//   re-reads the gap up to where the kept bytes end, follows the download and gives the digest. No hot-path hash.

export interface Sha256From {
  /** Bytes already in the file, [0, bytes). */
  bytes: number;
  /** A state over [0, hashed.bytes) with hashed.bytes <= bytes; none: the thread re-reads from byte 0. */
  hashed?: HashedAt;
}

export class DownloadSha256 {
  private constructor(
    private readonly path: string,
    private readonly pauseAt: number | undefined,
    private behind: Sha256Behind,
    private hot: Hash | undefined,
  ) {}

  static async start(path: string, from: Sha256From, pauseAt?: number): Promise<DownloadSha256> {
    const { hot, behind } = await DownloadSha256.begin(path, from, pauseAt);
    return new DownloadSha256(path, pauseAt, behind, hot);
  }

  private static async begin(path: string, from: Sha256From, pauseAt: number | undefined) {
    const fresh = from.bytes === 0;
    const behind = await Sha256Behind.start({
      path,
      from: fresh ? { bytes: 0 } : (from.hashed ?? { bytes: 0 }),
      helper: fresh,
      ...(pauseAt !== undefined ? { pauseAt } : {}),
    });
    behind.written(from.bytes);
    return { hot: fresh ? createHash('sha256') : undefined, behind };
  }

  /** `chunks` were written and now end the file at `offset`. */
  appended(chunks: Buffer[], offset: number): void {
    if (this.hot) for (const c of chunks) this.hot.update(c);
    this.behind.written(offset);
  }

  /** The newest savable state covering at most `bytes` bytes (for a record that trusts that many). */
  atMost(bytes: number): HashedAt | undefined {
    return this.behind.atMost(bytes);
  }

  forget(bytes: number): void {
    this.behind.forget(bytes);
  }

  /** The file was cut to 0 bytes: a fresh hash. */
  async restart(): Promise<void> {
    this.behind.stop();
    ({ hot: this.hot, behind: this.behind } = await DownloadSha256.begin(
      this.path,
      { bytes: 0 },
      this.pauseAt,
    ));
  }

  /** The sha256 of all the bytes appended (and, on a resume, of those before them). */
  digest(): Promise<string> {
    return this.hot ? Promise.resolve(this.hot.digest('hex')) : this.behind.digest();
  }

  stop(): void {
    this.behind.stop();
  }
}
