import { open } from 'node:fs/promises';
import type { GgufInfo } from '../../../shared/models/contract';

// A small GGUF header reader, from the documented layout (ggml docs/gguf.md): magic "GGUF", u32 version (2 or 3;
// version 1 used u32 counts and is long gone), u64 tensor count, u64 metadata count, the key/value pairs, then
// the tensor infos. @huggingface/gguf is not a dependency here and targets URLs first; this reads a local file
// through a bounded window, so a hostile file cannot make it allocate more than MAX_HEADER bytes.

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_VERSIONS = [2, 3];
/** The fixed part: magic, version, tensor count, metadata count. */
export const GGUF_MIN_BYTES = 24;
const MAX_HEADER = 64 * 1024 * 1024;

// general.file_type (llama_ftype), the names llama.cpp prints.
const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
};

/** Why the first bytes are not a GGUF file (an HTML page, JSON, an LFS pointer), or undefined when they are. */
export function ggufPrefixProblem(head: Uint8Array): string | undefined {
  const text = Buffer.from(head.subarray(0, 64)).toString('latin1');
  if (text.startsWith('version https://git-lfs')) return 'a Git LFS pointer, not the file it points to';
  if (/^\s*<(!doctype|html)/i.test(text)) return 'an HTML page';
  if (/^\s*[{[]/.test(text)) return 'a JSON document (an error answer?)';
  if (head.length < GGUF_MIN_BYTES)
    return `only ${head.length} bytes (a GGUF header has at least ${GGUF_MIN_BYTES})`;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (dv.getUint32(0, true) !== GGUF_MAGIC) return 'no GGUF magic at the start';
  const version = dv.getUint32(4, true);
  if (!GGUF_VERSIONS.includes(version)) return `unknown GGUF version ${version}`;
  return undefined;
}

class Cursor {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly truncated: boolean,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new Error(this.truncated ? 'header larger than the read window' : 'file ends inside the header');
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('a count in the header is absurdly large');
    return Number(v);
  }
  str(): string {
    const n = this.u64();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  value(type: number): unknown {
    const sizes: Record<number, number> = {
      0: 1,
      1: 1,
      2: 2,
      3: 2,
      4: 4,
      5: 4,
      6: 4,
      7: 1,
      10: 8,
      11: 8,
      12: 8,
    };
    if (type === 8) return this.str();
    if (type === 9) {
      const inner = this.u32();
      const count = this.u64();
      // Arrays (the tokenizer's vocabulary) are skipped, not kept: nothing the list shows is in one.
      for (let i = 0; i < count; i++) this.value(inner);
      return undefined;
    }
    const size = sizes[type];
    if (size === undefined) throw new Error(`unknown metadata value type ${type}`);
    this.need(size);
    const at = this.pos;
    this.pos += size;
    switch (type) {
      case 4:
        return this.buf.readUInt32LE(at);
      case 5:
        return this.buf.readInt32LE(at);
      case 10:
        return Number(this.buf.readBigUInt64LE(at));
      default:
        return undefined;
    }
  }
}

/** Parses a header from its bytes. Throws (with why) when it is not a readable GGUF header. */
export function parseGgufHeader(buf: Buffer, truncated = false): GgufInfo {
  const problem = ggufPrefixProblem(buf);
  if (problem) throw new Error(problem);
  const c = new Cursor(buf, truncated);
  c.pos = 4;
  const version = c.u32();
  const tensors = c.u64();
  const kvs = c.u64();
  const meta = new Map<string, unknown>();
  for (let i = 0; i < kvs; i++) {
    const key = c.str();
    meta.set(key, c.value(c.u32()));
  }
  let parameters = 0;
  for (let i = 0; i < tensors; i++) {
    c.str();
    const dims = c.u32();
    if (dims > 8) throw new Error(`a tensor with ${dims} dimensions`);
    let n = 1;
    for (let d = 0; d < dims; d++) n *= c.u64();
    c.u32(); // ggml type
    c.u64(); // offset
    parameters += n;
  }
  const arch =
    typeof meta.get('general.architecture') === 'string'
      ? (meta.get('general.architecture') as string)
      : undefined;
  const ft = meta.get('general.file_type');
  const ctxLen = arch ? meta.get(`${arch}.context_length`) : undefined;
  return {
    version,
    ...(arch ? { architecture: arch } : {}),
    ...(typeof ft === 'number' ? { quantization: FILE_TYPES[ft] ?? `type ${ft}` } : {}),
    ...(tensors > 0 ? { parameterCount: parameters } : {}),
    ...(typeof ctxLen === 'number' ? { contextLength: ctxLen } : {}),
  };
}

/** Reads the header of a local file: 1 MiB first, doubling up to 64 MiB while the header runs past the window. */
export async function readGgufHeader(path: string): Promise<GgufInfo> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    for (let window = 1024 * 1024; ; window *= 2) {
      const len = Math.min(size, window, MAX_HEADER);
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, 0);
      try {
        return parseGgufHeader(buf.subarray(0, bytesRead), size > len);
      } catch (err) {
        if (!(size > len && len < MAX_HEADER && String(err).includes('read window'))) throw err;
      }
    }
  } finally {
    await fh.close();
  }
}
