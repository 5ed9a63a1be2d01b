import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KintsugiError } from '../../../shared/errors';
import type { Compression } from '../../../shared/model';
import { runTool, spawnTool } from '../util/run-tool';

// Decompression runs in the real tools (zstd, xz, gzip, bzip2, lz4, unzip: multi-threaded or at least off Node's main thread, and
// the same code the dd pipeline uses, so the flash benchmark compares like with like). Node reads the compressed
// file itself and feeds the tool's stdin, so it can hash the compressed bytes on the way and report progress in
// compressed bytes; a caller that needs neither (`countCompressed: false`, no `onCompressed`) lets the tool read
// the file itself, which saves pushing every compressed byte through Node (a second pipe, 1 MiB Buffers to GC). A tool exiting non-zero is a truncated or corrupt image: `done` rejects with IMAGE_CORRUPT,
// and callers must await `done` before treating the stream as complete.

export interface DecompressedStream {
  /** The decompressed bytes. */
  stream: Readable;
  /** Resolves once the whole input was decompressed cleanly; rejects IMAGE_CORRUPT or CANCELLED. */
  done: Promise<void>;
  /** Compressed bytes read so far (always 0 when the tool reads the file itself: `countCompressed: false`). */
  compressedBytes(): number;
  /** Stops everything (used on cancel and on write errors). */
  destroy(): void;
}

export interface DecompressOptions {
  signal?: AbortSignal;
  /** Sees every compressed chunk in order (for hashing the file as stored). */
  onCompressed?: (chunk: Buffer) => void;
  /** Whether compressedBytes() is wanted (default true). */
  countCompressed?: boolean;
}

// How each format is decoded to stdout. unzip cannot read a zip from a pipe (its directory is at the end), so it
// always opens the file itself; detectFileCompression has already made sure the zip holds exactly one file, which
// `unzip -p` with no member name then writes out (no wildcard matching on a member name to get wrong).
const DECODERS: Record<
  Exclude<Compression, 'none'>,
  { tool: string; args: readonly string[]; pipe: boolean }
> = {
  // -q keeps progress noise out of stderr, which becomes the error detail. --long=31 lets zstd decode frames
  // made with `zstd --long=31` (windows up to 2 GiB; the default limit is 128 MiB), as the zstd man page asks of
  // the decoder; an ordinary frame decodes exactly as before.
  zstd: { tool: 'zstd', args: ['-d', '-c', '-q', '--long=31'], pipe: true },
  xz: { tool: 'xz', args: ['-d', '-c', '-q'], pipe: true },
  gzip: { tool: 'gzip', args: ['-d', '-c', '-q'], pipe: true },
  bzip2: { tool: 'bzip2', args: ['-d', '-c', '-q'], pipe: true },
  lz4: { tool: 'lz4', args: ['-d', '-c', '-q'], pipe: true },
  zip: { tool: 'unzip', args: ['-p', '-qq'], pipe: false },
};
const READ_CHUNK = 1 << 20;

/** The program that decodes `compression` (for reports and messages). */
export function decoderTool(compression: Exclude<Compression, 'none'>): string {
  return DECODERS[compression].tool;
}

/**
 * How to run the decoder with its output on stdout: on the file itself (`fromStdin` false) or on stdin, which
 * only tools that read a pipe accept (`canReadStdin`).
 */
export function decoderCommand(
  compression: Exclude<Compression, 'none'>,
  path: string,
  fromStdin: boolean,
): { tool: string; args: string[]; canReadStdin: boolean } {
  const { tool, args, pipe } = DECODERS[compression];
  return { tool, args: [...args, ...(fromStdin && pipe ? [] : ['--', path])], canReadStdin: pipe };
}

/** What a finished decoder run means: nothing when it decoded cleanly, else the error to report. */
export function decoderFailure(
  tool: string,
  path: string,
  result: { failed?: boolean; exitCode?: number; signal?: string; stderr?: unknown; code?: string },
  signal?: AbortSignal,
): KintsugiError | undefined {
  if (signal?.aborted) return new KintsugiError('CANCELLED', `decompressing ${path} was cancelled`);
  if (result.failed && result.code === 'ENOENT')
    return new KintsugiError('TOOL_MISSING', `${tool} is not installed or not on PATH`);
  if (result.exitCode === 0) return undefined;
  const why = String(result.stderr ?? '')
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('***'))
    .join('; ');
  return new KintsugiError(
    'IMAGE_CORRUPT',
    `${tool} could not decompress ${path} (exit ${result.exitCode ?? result.signal}): ${why || 'no message'}`,
  );
}

export function openDecompressed(
  path: string,
  compression: Compression,
  opts: DecompressOptions = {},
): DecompressedStream {
  if (compression !== 'none' && !opts.onCompressed && opts.countCompressed === false)
    return spawnDecompressor(path, compression, opts, undefined);
  let readBytes = 0;
  const input = createReadStream(path, { highWaterMark: READ_CHUNK });
  input.on('data', (chunk) => {
    readBytes += chunk.length;
    opts.onCompressed?.(chunk as Buffer);
  });
  if (compression !== 'none' && !DECODERS[compression].pipe) {
    // The tool reads the file itself: a second, side read hashes and counts the compressed bytes (the file is in
    // the page cache by then, and it is only the compressed size).
    const side = pipeline(input, new Writable({ write: (_c, _e, cb) => cb() }), { signal: opts.signal });
    side.catch(() => {});
    const dec = spawnDecompressor(path, compression, opts, undefined);
    const done = Promise.all([
      dec.done,
      side.catch((err: unknown) => Promise.reject(mapStreamError(err, opts.signal, path))),
    ]).then(() => {});
    done.catch(() => {});
    return {
      ...dec,
      done,
      compressedBytes: () => readBytes,
      destroy: () => {
        input.destroy();
        dec.destroy();
      },
    };
  }

  if (compression === 'none') {
    const out = new PassThrough({ highWaterMark: READ_CHUNK });
    const done = pipeline(input, out, { signal: opts.signal }).catch((err: unknown) => {
      throw mapStreamError(err, opts.signal, path);
    });
    done.catch(() => {});
    return { stream: out, done, compressedBytes: () => readBytes, destroy: () => input.destroy() };
  }
  return { ...spawnDecompressor(path, compression, opts, input), compressedBytes: () => readBytes };
}

/** Runs the tool on `input` piped to its stdin, or (no input) on the file itself. */
function spawnDecompressor(
  path: string,
  compression: Exclude<Compression, 'none'>,
  opts: DecompressOptions,
  input: Readable | undefined,
): DecompressedStream {
  const { tool, args } = DECODERS[compression];
  const child = spawnTool(tool, [...args, ...(input ? [] : ['--', path])], {
    stdin: input ? 'pipe' : 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: { stdout: false, stderr: true },
    cancelSignal: opts.signal,
    reject: false,
  });
  let stdinError: unknown;
  const feeding = input
    ? pipeline(input, child.stdin!).catch((err: unknown) => {
        // EPIPE: the tool quit early (corrupt input). Its exit code tells the story; keep this for the detail.
        stdinError = err;
      })
    : undefined;
  const done = (async () => {
    const [result] = await Promise.all([child, feeding]);
    const failure = decoderFailure(tool, path, result as Parameters<typeof decoderFailure>[2], opts.signal);
    if (failure) throw failure;
    if (stdinError) throw mapStreamError(stdinError, opts.signal, path);
  })();
  done.catch(() => {});
  return {
    stream: child.stdout!,
    done,
    compressedBytes: () => 0,
    destroy: () => {
      input?.destroy();
      child.kill('SIGKILL');
    },
  };
}

/**
 * The first `bytes` decompressed bytes (fewer when the image is shorter), through the same path flash uses; the
 * tool is stopped as soon as they are in. A stream that fails before giving them is IMAGE_CORRUPT here (a cut lz4
 * block yields nothing at all: that is a damaged file, not "not a disk image").
 */
export async function readDecompressedHead(
  path: string,
  compression: Compression,
  bytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const dec = openDecompressed(path, compression, { signal, countCompressed: false });
  const chunks: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of dec.stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= bytes) break;
    }
  } catch {
    // The tool's exit status, awaited below, says what went wrong.
  }
  if (got >= bytes) {
    // We stopped it: its exit is ours, not a verdict on the file.
    dec.destroy();
    await dec.done.catch(() => {});
  } else {
    await dec.done;
  }
  if (signal?.aborted) throw new KintsugiError('CANCELLED', `reading ${path} was cancelled`);
  return Buffer.concat(chunks).subarray(0, bytes);
}

export function mapStreamError(err: unknown, signal: AbortSignal | undefined, path: string): KintsugiError {
  if (err instanceof KintsugiError) return err;
  if (signal?.aborted) return new KintsugiError('CANCELLED', `reading ${path} was cancelled`);
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new KintsugiError('IMAGE_NOT_FOUND', path);
  return new KintsugiError('IMAGE_CORRUPT', `reading ${path} failed: ${e?.message ?? String(err)}`);
}

/**
 * The decompressed size when the container records it: zstd's frame header content size, xz's index, the image
 * file's own size, or gzip's ISIZE trailer (modulo 4 GiB and only the last member's, so only trusted for files
 * whose ISIZE is not smaller than the compressed data — a hint for flash progress, never for safety: the image
 * check measures gzip with its integrity pass instead). Undefined when unknown.
 */
export async function decompressedSize(path: string, compression: Compression): Promise<number | undefined> {
  try {
    if (compression === 'none') return (await stat(path)).size;
    if (compression === 'zstd') {
      // -v (needed for the exact size) also prints zstd's banner on stderr: keep it out of the job's log, where
      // the CLI would show it. A probe that fails only means "size unknown" (see the catch below).
      const { stdout } = await runTool('zstd', ['-l', '-v', '--', path], { stderr: 'ignore' });
      const m = /Decompressed Size:.*\((\d+) B\)/.exec(stdout);
      return m ? Number(m[1]) : undefined;
    }
    if (compression === 'xz') {
      const { stdout } = await runTool('xz', ['--robot', '-l', '--', path]);
      const totals = stdout.split('\n').find((l) => l.startsWith('totals\t'));
      const n = totals?.split('\t')[4];
      return n && /^\d+$/.test(n) ? Number(n) : undefined;
    }
    // bzip2 and lz4 frames rarely record it, and a zip's listing is only a claim: unknown until decompressed.
    if (compression !== 'gzip') return undefined;
    const { size } = await stat(path);
    if (size < 18) return undefined;
    const fh = await open(path, 'r');
    try {
      const tail = Buffer.alloc(4);
      await fh.read(tail, 0, 4, size - 4);
      const isize = tail.readUInt32LE(0);
      return isize >= size - 18 ? isize : undefined;
    } finally {
      await fh.close();
    }
  } catch (err) {
    // A truncated file makes `zstd -l` / `xz -l` fail: the size is unknown; the stream itself reports corruption.
    if (err instanceof KintsugiError && err.code === 'TOOL_MISSING') throw err;
    return undefined;
  }
}
