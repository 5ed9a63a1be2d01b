import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { KintsugiError } from '../../../shared/errors';
import { combineChunkDigests, FINGERPRINT_CHUNK } from './fingerprint';
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
const mod = { exports: {} };
new Function('module', 'exports', workerData.hashWasm)(mod, mod.exports);
const ready = mod.exports.createXXHash64().then((h) => {
  h.init();
  return h;
});
// Messages are handled in arrival order, each after the hash is ready (then() callbacks run in order).
parentPort.on('message', (m) =>
  void ready.then((h) => {
    if (m.buf !== undefined) h.update(views[m.buf].subarray(m.start, m.end));
    if (!m.last) return parentPort.postMessage({ id: m.id });
    const digest = h.digest('binary');
    h.init();
    parentPort.postMessage({ id: m.id, digest });
  }),
);
`;

/** Hashing threads: one per core, at most 4 (beyond that the device, not the hash, sets the pace). */
export function fingerprintThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

interface Reply {
  id: number;
  digest?: Uint8Array;
}

export class FingerprintPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  private readonly ids: Map<ArrayBufferLike, number>;
  private readonly digests: Promise<Uint8Array>[] = [];
  private nextId = 0;
  private position = 0;
  private failed: unknown;

  /** `buffers`: every Buffer later passed to update(), each a view from the start of a SharedArrayBuffer. */
  constructor(buffers: Buffer[], threads = fingerprintThreads()) {
    const sabs = buffers.map((b) => b.buffer);
    this.ids = new Map(sabs.map((s, i) => [s, i]));
    const workerData = { buffers: sabs, hashWasm: hashWasmSource() };
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
    const parts: Promise<Reply>[] = [];
    for (let off = 0; off < view.length;) {
      const k = Math.floor(this.position / FINGERPRINT_CHUNK);
      const inChunk = this.position - k * FINGERPRINT_CHUNK;
      const n = Math.min(FINGERPRINT_CHUNK - inChunk, view.length - off);
      const last = inChunk + n === FINGERPRINT_CHUNK;
      const start = view.byteOffset + off;
      const part = this.send(k, { buf, start, end: start + n, last });
      if (last) this.keepDigest(k, part);
      parts.push(part);
      off += n;
      this.position += n;
    }
    return Promise.all(parts).then(() => {});
  }

  /** After the last update(): the fingerprint of everything passed in. */
  async digest(): Promise<string> {
    const k = Math.floor(this.position / FINGERPRINT_CHUNK);
    if (this.position % FINGERPRINT_CHUNK !== 0) this.keepDigest(k, this.send(k, { last: true }));
    return combineChunkDigests(await Promise.all(this.digests), this.position);
  }

  /**
   * After digest(): the next update() starts a new stream on the same threads. The flash hashes its read-back
   * with the pool that hashed its writes, so the read-back does not wait for threads to start and load hash-wasm.
   */
  restart(): void {
    this.position = 0;
    this.digests.length = 0;
  }

  /** Ends the threads (after digest(), or to abandon the hash). */
  close(): void {
    this.failed ??= new KintsugiError('INTERNAL', 'the hashing threads were closed');
    for (const w of this.workers) void w.terminate();
  }

  private keepDigest(k: number, part: Promise<Reply>): void {
    const d = part.then((r) => r.digest!);
    d.catch(() => {}); // a failure is reported by update() or digest(), not as an unhandled rejection
    this.digests[k] = d;
  }

  private send(chunk: number, msg: object): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[chunk % this.workers.length]!.postMessage({ id, ...msg });
    });
  }
}
