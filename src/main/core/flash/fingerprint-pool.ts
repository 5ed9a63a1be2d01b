import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { KintsugiError } from '../../../shared/errors';
import { combineChunkDigests, FINGERPRINT_CHUNK } from './fingerprint';
import { CHUNK_HASH_SOURCE, nativeModulePath } from './chunk-hash';
import { hashWasmSource } from './hash-wasm-source';

// The verify fingerprint (fingerprint.ts) of a stream, its chunks hashed on several worker threads at once, straight
// from the caller's buffers (SharedArrayBuffer-backed, see allocAligned's `shared`: nothing is copied, only
// (buffer, start, end) messages). Chunk k goes to thread k mod N, so each thread sees its chunks' pieces in order
// and needs one hash state; a piece of the stream may start or end anywhere (a bmap range, a short read): update()
// cuts it at chunk boundaries. Each update() resolves once every thread is done with its bytes, which is when the
// buffer may be reused. Inline (eval) source keeps this module self-contained in every bundle.

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const views = workerData.buffers.map((b) => Buffer.from(b));
const ready = (${CHUNK_HASH_SOURCE})(
  () => (workerData.native === undefined ? undefined : require(workerData.native)),
  () => workerData.hashWasm,
);
// Messages are handled in arrival order, each after the hash is ready (then() callbacks run in order). One message
// carries every piece of one update() for this thread, so a thread wakes once per buffer, not once per chunk.
parentPort.on('message', (m) =>
  void ready.then((h) => {
    const digests = [];
    for (const p of m.pieces) {
      if (p.buf !== undefined) h.update(views[p.buf].subarray(p.start, p.end));
      if (!p.last) continue;
      digests.push({ chunk: p.chunk, digest: h.digest() });
      h.init();
    }
    parentPort.postMessage({ id: m.id, digests });
  }),
);
`;

/** Hashing threads: one per core, at most 4 (beyond that the device, not the hash, sets the pace). */
export function fingerprintThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

interface Piece {
  chunk: number;
  buf?: number;
  start?: number;
  end?: number;
  /** The chunk ends with this piece: the thread replies with its digest. */
  last: boolean;
}

interface Reply {
  id: number;
  digests: { chunk: number; digest: Uint8Array }[];
}

export class FingerprintPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  private readonly ids: Map<ArrayBufferLike, number>;
  private readonly digests: Uint8Array[] = [];
  /** Every message since the stream started, to wait for at digest(). */
  private readonly sent: Promise<void>[] = [];
  private nextId = 0;
  private position = 0;
  private failed: unknown;

  /** `buffers`: every Buffer later passed to update(), each a view from the start of a SharedArrayBuffer. */
  constructor(buffers: Buffer[], threads = fingerprintThreads()) {
    const sabs = buffers.map((b) => b.buffer);
    this.ids = new Map(sabs.map((s, i) => [s, i]));
    const workerData = { buffers: sabs, native: nativeModulePath(), hashWasm: hashWasmSource() };
    const fail = (e: unknown) => {
      this.failed ??= new KintsugiError('INTERNAL', `a hashing thread failed: ${String(e)}`);
      for (const p of this.pending.values()) p.reject(this.failed);
      this.pending.clear();
    };
    this.workers = Array.from({ length: Math.max(1, threads) }, () => {
      const w = new Worker(SOURCE, { eval: true, workerData });
      w.on('message', (r: Reply) => {
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        p?.resolve(r);
      });
      w.on('error', fail);
      w.on('exit', (code) => fail(`exit ${code}`));
      return w;
    });
  }

  /** The stream's next bytes (a subarray of one of the constructor's buffers); resolves when they were hashed. */
  update(view: Buffer): Promise<void> {
    const buf = this.ids.get(view.buffer);
    if (buf === undefined)
      return Promise.reject(new KintsugiError('INTERNAL', 'FingerprintPool.update: unknown buffer'));
    const perThread = new Map<number, Piece[]>();
    for (let off = 0; off < view.length;) {
      const chunk = Math.floor(this.position / FINGERPRINT_CHUNK);
      const inChunk = this.position - chunk * FINGERPRINT_CHUNK;
      const n = Math.min(FINGERPRINT_CHUNK - inChunk, view.length - off);
      const start = view.byteOffset + off;
      const thread = chunk % this.workers.length;
      const pieces = perThread.get(thread) ?? [];
      pieces.push({ chunk, buf, start, end: start + n, last: inChunk + n === FINGERPRINT_CHUNK });
      perThread.set(thread, pieces);
      off += n;
      this.position += n;
    }
    return Promise.all([...perThread].map(([thread, pieces]) => this.send(thread, pieces))).then(() => {});
  }

  /** After the last update(): the fingerprint of everything passed in. */
  async digest(): Promise<string> {
    const chunk = Math.floor(this.position / FINGERPRINT_CHUNK);
    if (this.position % FINGERPRINT_CHUNK !== 0)
      await this.send(chunk % this.workers.length, [{ chunk, last: true }]);
    await Promise.all(this.sent);
    return combineChunkDigests(this.digests, this.position);
  }

  /**
   * After digest(): the next update() starts a new stream on the same threads. The flash hashes its read-back
   * with the pool that hashed its writes, so the read-back does not wait for threads to start and load hash-wasm.
   */
  restart(): void {
    this.position = 0;
    this.digests.length = 0;
    this.sent.length = 0;
  }

  /** Ends the threads (after digest(), or to abandon the hash). */
  close(): void {
    this.failed ??= new KintsugiError('INTERNAL', 'the hashing threads were closed');
    for (const w of this.workers) void w.terminate();
  }

  private send(thread: number, pieces: Piece[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const done = new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[thread]!.postMessage({ id, pieces });
    }).then((r) => {
      for (const d of r.digests) this.digests[d.chunk] = d.digest;
    });
    // digest() waits for every message, so a digest is never missing; a failure is reported by update() or
    // digest(), not as an unhandled rejection.
    done.catch(() => {});
    this.sent.push(done);
    return done;
  }
}
