import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { KintsugiError } from '../../../shared/errors';
import { hashWasmSource } from '../flash/hash-wasm-source';

// A savable sha256 of a growing file, kept by a worker thread that reads the bytes back from the file (the page
// cache: they were just written) behind the writer. node's crypto (OpenSSL, SHA-NI: ~1.5 GB/s here) cannot save
// its state; hash-wasm can (~290 MB/s here: WebAssembly has no SHA-NI). The thread posts its state after every
// piece it reads (1 MiB), so a record can name a state at or below any byte count it trusts (atMost).
// As a helper (a fresh pull hashes with node's crypto on the hot path) it runs at the lowest CPU priority (nice 19
// on its own thread) and at a pace set by how busy the download's own thread is (its event loop utilisation,
// sampled every 250 ms): a download waiting on the network (a real one, 20-100 MB/s) leaves the CPU idle and the
// thread keeps up at full pace, so a resume re-reads next to nothing; a download that is CPU-bound (a fast link,
// the loopback bench) gets the cores back, the thread hashing a tenth of the time (nice alone left it a whole core
// of a 2-core machine and the download slower), and a resume then re-reads more. As the only hasher (a resumed
// pull: node's crypto cannot load a state) it runs at full pace, in parallel with the network.

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync, readlinkSync } = require('node:fs');
if (workerData.helper) {
  try {
    // Linux: setpriority() on a thread id renices that thread only.
    require('node:os').setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 19);
  } catch {}
}
const mod = { exports: {} };
new Function('module', 'exports', workerData.hashWasm)(mod, mod.exports);
// [0] bytes written (hash up to here), [1] stop, [2] finish, [3] the share of the time to hash (the rest asleep)
const ctl = new Float64Array(workerData.ctl);
const bell = new Int32Array(workerData.bell);
const nap = new Int32Array(new SharedArrayBuffer(4)); // never notified: Atomics.wait on it is a sleep
mod.exports.createSHA256().then((h) => {
  let fd;
  try {
    if (workerData.state) h.load(workerData.state);
    else h.init();
    let pos = workerData.from;
    parentPort.postMessage({ bytes: pos, state: h.save() });
    fd = openSync(workerData.path, 'r');
    const buf = Buffer.allocUnsafe(1024 * 1024);
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
        parentPort.postMessage({ bytes: pos, state: h.save() });
        if (ctl[3] < 1) Atomics.wait(nap, 0, 0, (performance.now() - t0) * (1 / ctl[3] - 1));
        continue;
      }
      if (ctl[2] && pos === ctl[0]) {
        parentPort.postMessage({ bytes: pos, state: h.save(), digest: h.digest('hex') });
        return;
      }
      Atomics.wait(bell, 0, ring, 250);
    }
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

/** The helper's pace: full while the download's thread is busy less than BUSY of the time, else LAGGING. */
const BUSY = 0.5;
const LAGGING = 0.1;
const SAMPLE_MS = 250;

/** A savable sha256 state and the bytes [0, bytes) it covers. */
export interface HashedAt {
  bytes: number;
  state: Uint8Array;
}

export interface BehindOptions {
  /** The file, read back from `from.bytes`. */
  path: string;
  /** Where the hash starts: a state (hash-wasm's save()) at `bytes`, or none and 0. */
  from: { bytes: number; state?: Uint8Array };
  /** A helper at nice 19, paced by the download's load (another hash is the final one), else full pace. */
  helper: boolean;
  /** For tests: the thread hashes no byte past this one, so it lags behind the writer. */
  pauseAt?: number;
}

export class Sha256Behind {
  private readonly worker: Worker;
  private readonly ctl = new Float64Array(new SharedArrayBuffer(32));
  private readonly pacer: NodeJS.Timeout | undefined;
  private readonly bell = new Int32Array(new SharedArrayBuffer(4));
  /** The states posted, oldest first; those no record can want any more are forgotten. */
  private states: HashedAt[] = [];
  private failed: Error | undefined;
  private waiters: { resolve: (d: string) => void; reject: (e: Error) => void }[] = [];
  private digestValue: string | undefined;

  private constructor(o: BehindOptions, ready: (e?: Error) => void) {
    this.ctl[0] = o.from.bytes;
    this.ctl[3] = 1;
    if (o.helper) {
      let last = performance.eventLoopUtilization();
      this.pacer = setInterval(() => {
        const now = performance.eventLoopUtilization();
        this.ctl[3] = performance.eventLoopUtilization(now, last).utilization < BUSY ? 1 : LAGGING;
        last = now;
      }, SAMPLE_MS);
      this.pacer.unref();
    }
    this.worker = new Worker(SOURCE, {
      eval: true,
      // Its garbage is a 116-byte state per MiB: small heaps keep the pull's peak RSS near the thread-less one.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
      workerData: {
        path: o.path,
        from: o.from.bytes,
        state: o.from.state,
        helper: o.helper,
        pauseAt: o.pauseAt,
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
        if (m.error) {
          this.fail(new Error(m.error));
          if (first) ready(new Error(m.error));
          return;
        }
        this.states.push({ bytes: m.bytes!, state: m.state! });
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

  /** The newest state covering at most `bytes` bytes. */
  atMost(bytes: number): HashedAt | undefined {
    for (let i = this.states.length - 1; i >= 0; i--)
      if (this.states[i]!.bytes <= bytes) return this.states[i];
    return undefined;
  }

  /** No record will want a state older than the newest one within `bytes` (they only grow). */
  forget(bytes: number): void {
    const keep = this.atMost(bytes);
    if (keep) this.states = this.states.slice(this.states.indexOf(keep));
  }

  /** The file now holds `bytes` bytes the hash may read (they were written). */
  written(bytes: number): void {
    this.ctl[0] = bytes;
    this.ring();
  }

  /** After the last written(): the sha256 of all of it, once the thread has read it. */
  digest(): Promise<string> {
    if (this.digestValue) return Promise.resolve(this.digestValue);
    if (this.failed) return Promise.reject(wrap(this.failed));
    this.ctl[2] = 1;
    this.ring();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  stop(): void {
    clearInterval(this.pacer);
    // A stopped hash offers no state: a record written after a restart must not take one of the old file's.
    this.states = [];
    this.ctl[1] = 1;
    this.ring();
    this.failed ??= new Error('stopped');
    void this.worker.terminate();
  }

  private ring(): void {
    Atomics.add(this.bell, 0, 1);
    Atomics.notify(this.bell, 0);
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
  if (state.length !== 116) return undefined;
  return Number(Buffer.from(state.buffer, state.byteOffset, state.length).readBigUInt64LE(68));
}
