// O_DIRECT needs buffers aligned to the device's logical block size. Node's Buffer.alloc* gives no alignment
// guarantee (and in practice fails with EINVAL), but a WebAssembly.Memory is page-aligned (64 KiB pages), so a
// Buffer view over it works. Each call gets its own Memory: they are few and long-lived (a handful of write buffers,
// one head buffer, two read buffers per job).

const WASM_PAGE = 64 * 1024;

// The node-only lib has no WebAssembly typings; this is the one constructor used here (module-scoped).
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => {
    buffer: ArrayBuffer | SharedArrayBuffer;
  };
};

/** `shared`: backed by a SharedArrayBuffer, so a worker thread can read it without a copy (see HashWorker). */
export function allocAligned(size: number, shared = false): Buffer {
  const pages = Math.max(1, Math.ceil(size / WASM_PAGE));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
  return Buffer.from(memory.buffer, 0, size);
}

export function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

export function roundDown(n: number, unit: number): number {
  return Math.floor(n / unit) * unit;
}
