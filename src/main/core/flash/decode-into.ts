import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KintsugiError } from '../../../shared/errors';
import type { Compression } from '../../../shared/model';
import { decoderCommand, decoderFailure, mapStreamError } from '../image/decompress';
import { spawnTool } from '../util/run-tool';

// The flash's decompressor, feeding the write buffers directly. The tool (zstd, xz, ...) still decodes in its own
// process, but its stdout is a Unix socket whose reads Node places straight into the buffer the sink names
// (net.Socket's `onread`): no Buffer per read, no copy into the ring, nothing for the GC. A stdout pipe allocates a
// 64 KiB Buffer per read, which on a 1 GiB image was ~450 ms of GC plus a copy of every byte. A socket (not a FIFO)
// because its larger kernel buffer lets one read take ~250 KiB where a pipe gives 64 KiB. A raw image is read from
// the file into the same buffers.

/** Where decoded bytes go: the flash's ring of write buffers (and a scratch buffer for bytes a bmap skips). */
export interface ByteSink {
  /** The buffer the next bytes land in, from its start (never empty). Called again after each filled(). */
  next(): Buffer;
  /** `n` bytes landed at the start of the last next() buffer. A promise holds further reads until it settles. */
  filled(n: number): Promise<void> | undefined;
}

export interface DecodeRun {
  /** Resolves once the whole input was decoded cleanly and every filled() settled; rejects otherwise. */
  done: Promise<void>;
  /** Compressed bytes read so far, when counting was asked for (0 otherwise). */
  compressedBytes(): number;
  /** Stops everything (cancel, write error). */
  destroy(): void;
}

export interface DecodeIntoOptions {
  signal?: AbortSignal;
  /** Count compressed bytes (for a size estimate when the decompressed size is unknown): Node then reads the file. */
  countCompressed?: boolean;
}

export async function decodeInto(
  path: string,
  compression: Compression,
  sink: ByteSink,
  opts: DecodeIntoOptions = {},
): Promise<DecodeRun> {
  return compression === 'none'
    ? readRawInto(path, sink, opts)
    : decodeToolInto(path, compression, sink, opts);
}

async function readRawInto(path: string, sink: ByteSink, opts: DecodeIntoOptions): Promise<DecodeRun> {
  const fh = await open(path, 'r').catch((e: unknown) => {
    throw mapStreamError(e, opts.signal, path);
  });
  let pos = 0;
  let stopped = false;
  const done = (async () => {
    try {
      for (;;) {
        if (opts.signal?.aborted || stopped)
          throw new KintsugiError('CANCELLED', `reading ${path} was cancelled`);
        const buf = sink.next();
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos).catch((e: unknown) => {
          throw mapStreamError(e, opts.signal, path);
        });
        if (bytesRead === 0) break;
        pos += bytesRead;
        await sink.filled(bytesRead);
      }
    } finally {
      await fh.close().catch(() => {});
    }
  })();
  done.catch(() => {});
  return {
    done,
    compressedBytes: () => pos,
    destroy: () => {
      stopped = true;
    },
  };
}

async function decodeToolInto(
  path: string,
  compression: Exclude<Compression, 'none'>,
  sink: ByteSink,
  opts: DecodeIntoOptions,
): Promise<DecodeRun> {
  // A private directory (0700) for the socket's name, removed as soon as the two ends are connected.
  const dir = await mkdtemp(join(tmpdir(), 'kintsugi-decode-'));
  let peer: Socket;
  let reader: Socket;
  let failure: unknown;
  let stopped = false;
  let holding: Promise<void> | undefined;
  let spare: Buffer | undefined;
  const fail = (e: unknown) => {
    failure ??= e;
    stopped = true;
  };
  try {
    const server = createServer();
    const address = join(dir, 'decoded');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address, resolve);
    });
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    reader = createConnection({
      path: address,
      onread: {
        // Called inside Node's read path, where a throw would be an uncaught exception: a refusal (a misaligned
        // bmap range) stops the run instead, and the read lands in a spare buffer nobody looks at.
        buffer: () => {
          try {
            if (!stopped) return sink.next();
          } catch (e) {
            fail(e);
            setImmediate(() => reader.destroy());
          }
          spare ??= Buffer.alloc(64 * 1024);
          return spare;
        },
        callback: (n: number) => {
          if (stopped) return false;
          let wait: Promise<void> | undefined;
          try {
            wait = sink.filled(n);
          } catch (e) {
            // The sink refused (image larger than the drive, a failed write, the drive gone): stop reading; the
            // reader's close ends the tool too.
            fail(e);
            setImmediate(() => reader.destroy());
            return false;
          }
          if (!wait) return true;
          // Returning false stops reading until resume(): the sink's buffer is busy (being written or hashed).
          holding = wait.then(
            () => {
              holding = undefined;
              if (!stopped) reader.resume();
            },
            (e: unknown) => {
              holding = undefined;
              fail(e);
              reader.destroy();
            },
          );
          return false;
        },
      },
    });
    peer = await accepted;
    server.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const feed = opts.countCompressed === true;
  const { tool, args, canReadStdin } = decoderCommand(compression, path, feed);
  let readBytes = 0;
  const input = feed ? createReadStream(path, { highWaterMark: 1 << 20 }) : undefined;
  input?.on('data', (c) => (readBytes += c.length));
  const child = spawnTool(tool, args, {
    stdin: input && canReadStdin ? 'pipe' : 'ignore',
    stdout: peer,
    stderr: 'pipe',
    buffer: { stdout: false, stderr: true },
    cancelSignal: opts.signal,
    reject: false,
  });
  // The child has its own copy of the socket's end; ours would keep the reader from ever seeing the end.
  peer.destroy();
  let feeding: Promise<void> | undefined;
  if (input)
    feeding = (
      canReadStdin
        ? pipeline(input, child.stdin!)
        : // unzip reads the file itself: a side read only counts (the file is in the page cache by then).
          pipeline(input, new Writable({ write: (_c, _e, cb) => cb() }))
    ).catch((e: unknown) => {
      // EPIPE: the tool quit early (corrupt input); its exit status tells the story.
      if (!canReadStdin) fail(mapStreamError(e, opts.signal, path));
    });

  let sawEnd = false;
  const ended = new Promise<void>((resolve, reject) => {
    reader.once('end', () => {
      sawEnd = true;
      resolve();
    });
    // Closed without its end: stopped (failure says why) or cut off (the tool's exit status says why).
    reader.once('close', () =>
      sawEnd
        ? resolve()
        : reject(failure ?? new KintsugiError('IMAGE_CORRUPT', `${tool} output ended early`)),
    );
    reader.once('error', (e) => reject(failure ?? mapStreamError(e, opts.signal, path)));
  });
  const done = (async () => {
    try {
      await ended;
    } catch (e) {
      fail(e);
      child.kill('SIGKILL');
    }
    const result = await child;
    await feeding;
    await holding;
    // What stopped us first (a write error, the drive gone) is the story; the tool's exit (killed) is not.
    if (failure) throw failure;
    const tooled = decoderFailure(tool, path, result as Parameters<typeof decoderFailure>[2], opts.signal);
    if (tooled) throw tooled;
  })();
  done.catch(() => {});
  return {
    done,
    compressedBytes: () => readBytes,
    destroy: () => {
      fail(new KintsugiError('CANCELLED', `decompressing ${path} was stopped`));
      input?.destroy();
      reader.destroy();
      child.kill('SIGKILL');
    },
  };
}
