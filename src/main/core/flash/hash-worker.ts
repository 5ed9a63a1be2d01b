import { Worker } from 'node:worker_threads';
import { KintsugiError } from '../../../shared/errors';

// sha256 off the main thread. Hashing is the costliest CPU work of a flash (~2 GB/s with SHA-NI, as much as
// reading the decompressor's pipe and writing together), so it runs in a worker thread over the very buffers the
// writer sends to the device: they are SharedArrayBuffer-backed (see allocAligned's `shared`), so nothing is
// copied or transferred, only (buffer index, offset, length) messages. The worker hashes in message order; each
// update() resolves once the worker has finished with those bytes, which is when the buffer may be reused.
// Inline (eval) source keeps this one self-contained module in every bundle (CLI, helper, Electron main, tests).

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const views = workerData.buffers.map((b) => Buffer.from(b));
const hash = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.digest) parentPort.postMessage({ id: m.id, digest: hash.digest('hex') });
  else {
    hash.update(views[m.buf].subarray(m.start, m.end));
    parentPort.postMessage({ id: m.id });
  }
});
`;

interface Reply {
  id: number;
  digest?: string;
}

export class HashWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  private failed: unknown;
  private readonly ids: Map<ArrayBufferLike, number>;

  /** `buffers`: every Buffer later passed to update(), each a view from the start of a SharedArrayBuffer. */
  constructor(buffers: Buffer[]) {
    const sabs = buffers.map((b) => b.buffer);
    this.ids = new Map(sabs.map((s, i) => [s, i]));
    this.worker = new Worker(SOURCE, { eval: true, workerData: { buffers: sabs } });
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

  /** Hashes `view` (a subarray of one of the constructor's buffers); resolves when the worker is done with it. */
  async update(view: Buffer): Promise<void> {
    const buf = this.ids.get(view.buffer);
    if (buf === undefined) throw new KintsugiError('INTERNAL', 'HashWorker.update: unknown buffer');
    await this.send({ buf, start: view.byteOffset, end: view.byteOffset + view.length });
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
