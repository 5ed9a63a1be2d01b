import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

// GGUF files generated from the documented layout (ggml docs/gguf.md): magic, version 3, tensor and metadata
// counts, string / u32 / string-array metadata, tensor infos, then a payload of pseudo-random bytes up to `size`.
// Deterministic per seed, so a test can make "the same file changed on the server" by changing the seed.

export interface GgufFixtureOptions {
  architecture?: string;
  /** general.file_type (15 = Q4_K_M). */
  fileType?: number;
  contextLength?: number;
  /** Each tensor's dims; their products sum to the parameter count. */
  tensors?: number[][];
  version?: number;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);

export function ggufHeader(o: GgufFixtureOptions = {}): Buffer {
  const arch = o.architecture ?? 'llama';
  const tensors = o.tensors ?? [
    [4096, 32000],
    [4096, 4096],
  ];
  const kv = [
    Buffer.concat([str('general.architecture'), u32(8), str(arch)]),
    Buffer.concat([str('general.file_type'), u32(4), u32(o.fileType ?? 15)]),
    Buffer.concat([str(`${arch}.context_length`), u32(4), u32(o.contextLength ?? 8192)]),
    // An array the reader must skip: the tokenizer's vocabulary.
    Buffer.concat([str('tokenizer.ggml.tokens'), u32(9), u32(8), u64(3), str('<s>'), str('</s>'), str('hi')]),
  ];
  const infos = tensors.map((dims, i) =>
    Buffer.concat([str(`t${i}.weight`), u32(dims.length), ...dims.map(u64), u32(12), u64(0)]),
  );
  return Buffer.concat([
    Buffer.from('GGUF', 'latin1'),
    u32(o.version ?? 3),
    u64(tensors.length),
    u64(kv.length),
    ...kv,
    ...infos,
  ]);
}

/** Fills `block` deterministically from a seed (fast: one sha256 per 32 bytes would be slow, so xorshift). */
function fillBlock(block: Buffer, seed: number): void {
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i + 4 <= block.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    block.writeUInt32LE(x, i);
  }
}

/** Writes a GGUF file of exactly `size` bytes and returns its sha256. */
export async function writeGgufFile(
  path: string,
  size: number,
  seed = 1,
  o: GgufFixtureOptions = {},
): Promise<string> {
  const head = ggufHeader(o);
  if (size < head.length)
    throw new Error(`a fixture of ${size} bytes cannot hold its ${head.length}-byte header`);
  const hash = createHash('sha256');
  const fh = await open(path, 'w');
  try {
    await fh.write(head, 0, head.length, 0);
    hash.update(head);
    const block = Buffer.alloc(4 * 1024 * 1024);
    fillBlock(block, seed);
    let pos = head.length;
    while (pos < size) {
      const n = Math.min(block.length, size - pos);
      const part = block.subarray(0, n);
      await fh.write(part, 0, n, pos);
      hash.update(part);
      pos += n;
      block.writeUInt32LE(pos ^ seed, 0); // blocks differ from one another
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}
