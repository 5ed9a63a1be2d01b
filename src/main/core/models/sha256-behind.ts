import { Worker } from 'node:worker_threads';
import { KintsugiError } from '../../../shared/errors';
import { hashWasmSource } from '../flash/hash-wasm-source';

// The savable sha256 of a download, kept by a worker thread that reads the bytes back from the `.incomplete` file
// (the page cache: they were just written) behind the network. node's crypto (OpenSSL, SHA-NI: ~1.5 GB/s here)
// cannot save its state, hash-wasm can (~300 MB/s here, no SHA-NI in WebAssembly): so a fresh pull hashes with
// node's crypto on the hot path and this thread only provides the checkpoints' states, at whatever pace it gets;
// a resumed pull (a loaded state: node's crypto cannot take it) has no hot-path hash and takes this thread's digest
// at the end, hashed in parallel with the network instead of in series with it. The record stores where the
// state is (`hashedBytes`) beside where the bytes are (`bytes`): a resume re-reads the gap from disk, never
// fetches it again. As a helper it runs at the lowest CPU priority (nice 19 on its own thread) and sleeps three
// times as long as it hashes (a quarter of a core at most: nice alone left it a whole core of a 2-core machine,
// ~3.4 s of CPU per GiB, and the download slower); as the final hasher it runs at full pace.

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync, readlinkSync } = require('node:fs');
if (workerData.nice) {
  try {
    // Linux: setpriority() on a thread id renices that thread only.
    require('node:os').setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 19);
  } catch {}
}
const mod = { exports: {} };
new Function('module', 'exports', workerData.hashWasm)(mod, mod.exports);
const ctl = new Float64Array(workerData.ctl); // [0] bytes written (hash up to here), [1] stop, [2] finish
const bell = new Int32Array(workerData.bell);
const nap = new Int32Array(new SharedArrayBuffer(4)); // never notified: Atomics.wait on it is a sleep
mod.exports.createSHA256().then((h) => {
  if (workerData.state) h.load(workerData.state);
  else h.init();
  let pos = workerData.from;
  let posted = pos;
  parentPort.postMessage({ bytes: pos, state: h.save() });
  const fd = openSync(workerData.path, 'r');
  const buf = Buffer.allocUnsafe(workerData.chunk);
  try {
    for (;;) {
      const ring = Atomics.load(bell, 0);
      if (ctl[1]) return;
      const upTo = Math.min(ctl[0], workerData.pauseAt ?? Infinity);
      if (pos < upTo) {
        const t0 = performance.now();
        const n = readSync(fd, buf, 0, Math.min(buf.length, upTo - pos), pos);
        if (n <= 0) throw new Error('the partial file ended at byte ' + pos + ', before byte ' + upTo);
        h.update(buf.subarray(0, n));
        pos += n;
        // A helper takes at most its duty share of one core: its lag costs a re-read on a resume, its CPU costs
        // the download now (nice alone did not keep it off the cores the download and the server need).
        if (workerData.duty < 1) Atomics.wait(nap, 0, 0, (performance.now() - t0) * (1 / workerData.duty - 1));
        // Every so often, and whenever it has caught up (the freshest state costs a 116-byte message).
        if (pos - posted >= workerData.every || pos === upTo) {
          parentPort.postMessage({ bytes: pos, state: h.save() });
          posted = pos;
        }
        continue;
      }
      if (ctl[2] && pos === ctl[0]) {
        const state = h.save();
        parentPort.postMessage({ bytes: pos, state, digest: h.digest('hex') });
        return;
      }
      Atomics.wait(bell, 0, ring, 250);
    }
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  } finally {
    closeSync(fd);
  }
});
`;

/** The share of one core the thread takes as a helper (measured: see the commit). */
const HELPER_DUTY = 0.25;

export interface BehindOptions {
  /** The `.incomplete` file, read back from `from`. */
  path: string;
  from: number;
  /** hash-wasm state at `from` (undefined: a new hash, `from` must be 0). */
  state?: Uint8Array;
  /** Post a savable state every this many bytes. */
  every: number;
  /** Lowest priority: a helper that may lag behind (the hot path has its own hash). */
  nice: boolean;
  /** For tests: the thread hashes no byte past this one, so it lags behind the download. */
  pauseAt?: number;
}

export class Sha256Behind {
  private readonly worker: Worker;
  private readonly ctl = new Float64Array(new SharedArrayBuffer(24));
  private readonly bell = new Int32Array(new SharedArrayBuffer(4));
  private latestState: { bytes: number; state: Uint8Array };
  private failed: Error | undefined;
  private waiters: { resolve: (d: string) => void; reject: (e: Error) => void }[] = [];
  private digestValue: string | undefined;

  private constructor(o: BehindOptions, ready: (e?: Error) => void) {
    this.latestState = { bytes: o.from, state: new Uint8Array() };
    this.ctl[0] = o.from;
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: {
        path: o.path,
        from: o.from,
        state: o.state,
        every: o.every,
        nice: o.nice,
        duty: o.nice ? HELPER_DUTY : 1,
        pauseAt: o.pauseAt,
        chunk: 1024 * 1024,
        ctl: this.ctl.buffer,
        bell: this.bell.buffer,
        hashWasm: hashWasmSource(),
      },
    });
    // A safety net: every path of the download stops it, and a forgotten one must not keep the process alive.
    this.worker.unref();
    let first = true;
    this.worker.on(
      'message',
      (m: { bytes?: number; state?: Uint8Array; digest?: string; error?: string }) => {
        if (m.error) return this.fail(new Error(m.error));
        this.latestState = { bytes: m.bytes!, state: m.state! };
        if (first) {
          first = false;
          ready();
        }
        if (m.digest) {
          this.digestValue = m.digest;
          for (const w of this.waiters) w.resolve(m.digest);
          this.waiters = [];
        }
      },
    );
    this.worker.on('error', (e) => {
      this.fail(e);
      if (first) ready(e);
    });
    this.worker.on('exit', (code) => {
      const e = new Error(`exit ${code}`);
      this.fail(e);
      if (first) ready(e);
    });
  }

  /** Starts the thread; resolves once it holds its first state (the one at `from`). */
  static start(o: BehindOptions): Promise<Sha256Behind> {
    return new Promise((resolve, reject) => {
      const h: Sha256Behind = new Sha256Behind(o, (e) => (e ? reject(wrap(e)) : resolve(h)));
    });
  }

  /** The latest savable state and the bytes it covers (behind, or at, the bytes written). */
  get latest(): { bytes: number; state: Uint8Array } {
    return this.latestState;
  }

  /** The file now holds `bytes` bytes the hash may read (they were written). */
  written(bytes: number): void {
    this.ctl[0] = bytes;
    Atomics.add(this.bell, 0, 1);
    Atomics.notify(this.bell, 0);
  }

  /** After the last written(): the sha256 of all of it, once the thread has read it. */
  digest(): Promise<string> {
    if (this.digestValue) return Promise.resolve(this.digestValue);
    if (this.failed) return Promise.reject(wrap(this.failed));
    this.ctl[2] = 1;
    Atomics.add(this.bell, 0, 1);
    Atomics.notify(this.bell, 0);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  stop(): void {
    this.ctl[1] = 1;
    Atomics.add(this.bell, 0, 1);
    Atomics.notify(this.bell, 0);
    this.failed ??= new Error('stopped');
    void this.worker.terminate();
  }

  private fail(e: Error): void {
    if (this.digestValue) return;
    this.failed ??= e;
    for (const w of this.waiters) w.reject(wrap(e));
    this.waiters = [];
  }
}

const wrap = (e: Error) => new KintsugiError('INTERNAL', `the sha256 thread failed: ${e.message}`);

/** The byte count a hash-wasm sha256 state says it covers (its layout: 4-byte tag, 64-byte block, u64 length). */
export function sha256StateBytes(state: Uint8Array): number | undefined {
  if (state.length < 76) return undefined;
  return Number(Buffer.from(state.buffer, state.byteOffset, state.length).readBigUInt64LE(68));
}
