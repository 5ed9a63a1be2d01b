import { Worker } from 'node:worker_threads';
import { KintsugiError } from '../../../shared/errors';

// Hashing off the main thread: sha256 (a published checksum over the decompressed image; the verify fingerprint
// has its own pool of threads, fingerprint-pool.ts). It costs ~0.6 s of one core per GiB, more than reading the
// decoder and writing together, so it runs in a worker thread over the very buffers the writer sends to the device: they are SharedArrayBuffer-backed (see allocAligned's `shared`), so nothing is
// copied or transferred, only (buffer index, offset, length) messages. The worker hashes in message order; each
// update() resolves once the worker has finished with those bytes, which is when the buffer may be reused.
// Inline (eval) source keeps this one self-contained module in every bundle (CLI, helper, Electron main, tests).
//
// Second mode, for a bmap with range checksums (what bmaptool checks while copying): the written bytes are the
// mapped ranges back to back, so the thread cuts them by range length and checks each range's digest as it
// completes. It is a second thread over the same buffers, not a second pass over the image: it runs beside the
// sha256 thread, and a mismatch rejects that update(), which fails the write before the first MiB is written.
// Measured on a shared 2-core machine (256 MiB mapped of a 768 MiB zstd image): ~+20 % write-phase time against
// a bmap without range checksums, the same whether one thread hashes both or two threads split them; two threads
// win where there are spare cores.

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const views = workerData.buffers.map((b) => Buffer.from(b));
const check = workerData.check;
let hash = null;
if (!check) hash = createHash('sha256');
let ri = 0;
let left = check && check.ranges.length ? check.ranges[0].len : 0;
let rh = check && check.ranges.length && check.ranges[0].sum ? createHash(check.algo) : null;
let stopped = null; // the first mismatch: checking stops there, later updates report it again
function checkRanges(view) {
  if (stopped) return stopped;
  let off = 0;
  while (off < view.length) {
    if (ri >= check.ranges.length) return { extra: view.length - off };
    const n = Math.min(left, view.length - off);
    if (rh) rh.update(view.subarray(off, off + n));
    off += n;
    left -= n;
    if (left > 0) continue;
    const r = check.ranges[ri];
    if (rh) {
      const actual = rh.digest('hex');
      if (actual !== r.sum) {
        stopped = { mismatch: { first: r.first, last: r.last, actual, expected: r.sum } };
        return stopped;
      }
    }
    ri++;
    const next = check.ranges[ri];
    left = next ? next.len : 0;
    rh = next && next.sum ? createHash(check.algo) : null;
  }
  return {};
}
parentPort.on('message', handle);
function handle(m) {
  if (m.digest) parentPort.postMessage({ id: m.id, digest: hash.digest('hex') });
  else if (m.done) parentPort.postMessage({ id: m.id, checked: ri });
  else {
    const view = views[m.buf].subarray(m.start, m.end);
    if (check) parentPort.postMessage({ id: m.id, ...checkRanges(view) });
    else {
      hash.update(view);
      parentPort.postMessage({ id: m.id });
    }
  }
}
`;

/** One mapped range as the range checker sees it: its length in the written stream and its expected digest. */
export interface CheckedRange {
  /** Blocks, for the error message (bmaptool's "blocks range X-Y"). */
  first: number;
  last: number;
  /** Bytes of this range in the written stream (the last range ends at the image's end). */
  len: number;
  /** Expected hex digest; undefined: the range has none and is only skipped over. */
  sum?: string;
}

export interface RangeCheck {
  algo: string;
  ranges: CheckedRange[];
  /** Names the image in the error, like bmaptool's "(image file X)". */
  image: string;
}

interface Reply {
  id: number;
  digest?: string;
  checked?: number;
  extra?: number;
  mismatch?: { first: number; last: number; actual: string; expected: string };
}

export class HashWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  private failed: unknown;
  private readonly ids: Map<ArrayBufferLike, number>;

  /**
   * `buffers`: every Buffer later passed to update(), each a view from the start of a SharedArrayBuffer.
   * `check`: check bmap ranges instead of computing one sha256 (then digest() is not available).
   */
  constructor(
    buffers: Buffer[],
    private readonly check?: RangeCheck,
  ) {
    const sabs = buffers.map((b) => b.buffer);
    this.ids = new Map(sabs.map((s, i) => [s, i]));
    const workerData = {
      buffers: sabs,
      ...(check ? { check: { algo: check.algo, ranges: check.ranges } } : {}),
    };
    this.worker = new Worker(SOURCE, { eval: true, workerData });
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      p?.resolve(r);
    });
    const fail = (e: unknown) => {
      this.failed ??= new KintsugiError('INTERNAL', `the hashing thread failed: ${String(e)}`);
      for (const p of this.pending.values()) p.reject(this.failed);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(`exit ${code}`));
  }

  /**
   * Hashes `view` (a subarray of one of the constructor's buffers); resolves when the worker is done with it.
   * In range-check mode, rejects with IMAGE_BMAP_MISMATCH when a range completed in `view` has the wrong digest.
   */
  async update(view: Buffer): Promise<void> {
    const buf = this.ids.get(view.buffer);
    if (buf === undefined) throw new KintsugiError('INTERNAL', 'HashWorker.update: unknown buffer');
    const r = await this.send({ buf, start: view.byteOffset, end: view.byteOffset + view.length });
    if (r.mismatch) {
      const m = r.mismatch;
      // Later updates must fail too: the thread stopped checking at this range.
      this.failed ??= new KintsugiError(
        'IMAGE_BMAP_MISMATCH',
        `checksum mismatch for blocks range ${m.first}-${m.last}: calculated ${m.actual}, should be ${m.expected} (image file ${this.check?.image})`,
      );
      throw this.failed;
    }
    if (r.extra)
      throw new KintsugiError('INTERNAL', `${r.extra} bytes were written past the last bmap range`);
  }

  /** Range-check mode: after the last update, proves every range was seen and checked. */
  async checkedAll(): Promise<void> {
    const r = await this.send({ done: true });
    const total = this.check?.ranges.length ?? 0;
    if (r.checked !== total)
      throw new KintsugiError(
        'IMAGE_BMAP_MISMATCH',
        `only ${r.checked} of the ${total} bmap ranges were written (image file ${this.check?.image})`,
      );
  }

  async digest(): Promise<string> {
    const r = await this.send({ digest: true });
    return r.digest!;
  }

  /** Ends the thread (after digest(), or to abandon the hash). */
  close(): void {
    this.failed ??= new KintsugiError('INTERNAL', 'the hashing thread was closed');
    void this.worker.terminate();
  }

  private send(msg: object): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg });
    });
  }
}
