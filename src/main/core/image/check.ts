import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { ImageCheckParams } from '../../../shared/jobs';
import type { ImageReport } from '../../../shared/model';
import type { ProgressOf } from '../../../shared/progress';
import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { bmapMappedBytes, readBmapFile } from './bmap';
import { decodeInto, type DecodeRun } from '../flash/decode-into';
import { decoderTool, decompressedSize, readDecompressedHead } from './decompress';
import { DISK_HEAD_BYTES, diskSignature, guessNonImage } from './disk-signature';
import { detectFileCompression } from './detect-compression';
import { loadPublicKey, verifyMinisign } from './minisign';
import { matchSha256Entry, parseSha256File, stripCompressionSuffix } from './sha256-file';
import { isUrl, resolveSource, type FetchOptions } from './source';

// Every check on an image, before any byte reaches a drive: fetch, compression, signature (is it the publisher's
// file?), checksum (is it intact? of the compressed file or of the decompressed stream, whichever the .sha256
// names), optionally a full decompression test, the bmap beside it and the version in its name. A failed check
// throws; a report means every requested check passed.

type CheckPhase = Exclude<ProgressOf<'image'>['phase'], 'download'>;

export async function checkImage(
  params: ImageCheckParams,
  ctx: JobContext,
  opts: FetchOptions = {},
): Promise<ImageReport> {
  if (params.minisigFile && !params.pubkey)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      'a minisign public key is required to check the signature (--pubkey or the setting)',
    );
  const path = await resolveSource(params.source, ctx, opts);
  const fileSize = (await stat(path)).size;
  // An empty file passes every magic-byte test as 'none' and would flash nothing: refuse it here.
  if (fileSize === 0) throw new KintsugiError('IMAGE_CORRUPT', `${path} is empty (0 bytes)`);
  const compression = await detectFileCompression(path);
  const report: ImageReport = { path, source: params.source, compression, fileSize };
  // Names come from what the user gave: a cached download carries a URL-hash prefix.
  const name = isUrl(params.source)
    ? basename(decodeURIComponent(new URL(params.source).pathname))
    : basename(path);
  const version = versionFromName(name);
  if (version) report.version = version;

  // A configured key means signatures are required: the .minisig given, else the one published beside a local
  // image (x.img.zst.minisig, as minisign -S writes it); none at all is refused unless the user chose unsigned.
  const minisigFile = params.minisigFile ?? (params.pubkey ? await minisigBeside(params.source) : undefined);
  if (params.pubkey && !minisigFile) {
    if (!params.allowUnsigned)
      throw new KintsugiError(
        'IMAGE_SIGNATURE_MISSING',
        `a minisign public key is set but no signature was given for ${name}, and there is no ${name}.minisig beside it`,
      );
    report.unsigned = true;
  }
  if (minisigFile) {
    const publicKey = await loadPublicKey(params.pubkey!);
    const sigPath = await resolveCompanion(minisigFile, 'signature file', ctx, opts);
    const progress = phaseProgress(ctx, 'signature', fileSize);
    const v = await verifyMinisign(path, await readFile(sigPath, 'utf8'), publicKey, {
      signal: ctx.signal,
      onBytes: progress.add,
      source: minisigFile,
    });
    report.signature = { ok: true, trustedComment: v.trustedComment, keyId: v.keyId };
  }

  // After the signature (a tampered file is reported as such, not as "not an image"), before the slower
  // checksum: a .minisig or a web page picked as the image fails here, saying what it is.
  const structure = diskSignature(await readDecompressedHead(path, compression, DISK_HEAD_BYTES, ctx.signal));
  if (structure) report.diskSignature = structure;
  else if (!params.forceRaw) throw await notADiskImage(path, compression, ctx.signal);
  else report.forcedRaw = true;

  let fullSize: number | undefined;
  if (params.sha256File) {
    const sumPath = await resolveCompanion(params.sha256File, 'checksum file', ctx, opts);
    const match = matchSha256Entry(parseSha256File(await readFile(sumPath, 'utf8')), name, params.sha256File);
    let actual: string;
    if (match.target === 'compressed' || compression === 'none') {
      actual = await hashFile(path, ctx, fileSize);
    } else {
      // The entry names the decompressed image: hash the stream, which also proves it decompresses to the end.
      const r = await hashDecompressed(path, compression, ctx, fileSize, 'checksum');
      actual = r.digest;
      fullSize = r.size;
      // Decoding it all to hash it ran the decoder's own checks too.
      report.integrity = { tool: decoderTool(compression), ok: true, bytes: r.size };
    }
    const ok = actual === match.expected;
    report.checksum = { target: match.target, fileName: match.fileName, expected: match.expected, ok };
    if (!ok)
      throw new KintsugiError(
        'IMAGE_CHECKSUM_MISMATCH',
        `sha256 of the ${match.target === 'image' ? 'decompressed image' : 'file'} ${name} is ${actual}, ${params.sha256File} says ${match.expected}`,
      );
  }

  // Integrity before the first write. Without a published checksum over these bytes, a truncated or corrupt
  // download would fail only mid-flash, the drive half-written: one pass through the very decoder flash uses (its
  // own checksums verified) finds it now. gzip always gets it: its ISIZE trailer is modulo 4 GiB and only the
  // last member's, so the size it measures is the only one believed.
  const needIntegrity = params.fullCheck || !report.checksum || compression === 'gzip';
  if (compression !== 'none' && fullSize === undefined && needIntegrity) {
    fullSize = (await hashDecompressed(path, compression, ctx, fileSize, 'decompress-test', false)).size;
    report.integrity = { tool: decoderTool(compression), ok: true, bytes: fullSize };
  }

  const bmapPath = params.noBmap ? undefined : await findBmap(path);
  if (bmapPath) {
    const bmap = await readBmapFile(bmapPath);
    report.bmap = {
      path: bmapPath,
      mappedBytes: bmapMappedBytes(bmap),
      imageSize: bmap.imageSize,
      blockSize: bmap.blockSize,
    };
  }
  const imageSize =
    fullSize ??
    report.bmap?.imageSize ??
    (compression === 'gzip' ? undefined : await decompressedSize(path, compression));
  if (fullSize !== undefined && report.bmap && fullSize !== report.bmap.imageSize)
    throw new KintsugiError(
      'IMAGE_BMAP_MISMATCH',
      `${report.bmap.path} describes a ${report.bmap.imageSize}-byte image but ${path} decompresses to ${fullSize}`,
    );
  if (imageSize !== undefined) report.imageSize = imageSize;
  // A drive is written in whole sectors: a ragged size is a cut or an appended file, not an image.
  if (imageSize !== undefined && imageSize % 512 !== 0 && !params.forceRaw)
    throw new KintsugiError(
      'IMAGE_NOT_A_DISK_IMAGE',
      `${path} holds ${imageSize} bytes, not a whole number of 512-byte sectors`,
      { hint: NOT_AN_IMAGE_HINT },
    );
  return report;
}

const NOT_AN_IMAGE_HINT =
  'Pick the .img.zst (or .img, .iso) itself, not its .sha256 or .minisig, a saved web page or a partial download. If it really is a raw disk image: "Flash it anyway…" and type RAW (CLI: --force-raw).';

async function notADiskImage(
  path: string,
  compression: ImageReport['compression'],
  signal: AbortSignal,
): Promise<KintsugiError> {
  const what = guessNonImage(await readDecompressedHead(path, compression, 512, signal));
  const inside = compression === 'none' ? '' : ` once decompressed (${compression})`;
  return new KintsugiError(
    'IMAGE_NOT_A_DISK_IMAGE',
    `${path}${inside} starts with no partition table (MBR, GPT), ISO 9660 or filesystem${what}`,
    { hint: NOT_AN_IMAGE_HINT },
  );
}

/** A .sha256 / .minisig source: a missing local one is a bad argument, not a missing image. */
async function resolveCompanion(
  source: string,
  what: string,
  ctx: JobContext,
  opts: FetchOptions,
): Promise<string> {
  try {
    return await resolveSource(source, ctx, opts);
  } catch (err) {
    if (err instanceof KintsugiError && err.code === 'IMAGE_NOT_FOUND')
      throw new KintsugiError('INVALID_ARGUMENT', `the ${what} ${source} was not found or is not a file`);
    throw err;
  }
}

/** The .minisig minisign writes beside a local image, if it is there. */
async function minisigBeside(source: string): Promise<string | undefined> {
  if (isUrl(source)) return undefined;
  const p = `${source}.minisig`;
  return (await stat(p).then(
    (s) => s.isFile(),
    () => false,
  ))
    ? p
    : undefined;
}

/** kintsugi-v1.4.img.zst -> 1.4; kintsugi-2025.03.1-beta.img -> 2025.03.1-beta. */
export function versionFromName(name: string): string | undefined {
  const stem = stripCompressionSuffix(name).replace(/\.(img|iso|raw|bin)$/i, '');
  const m = /(?:^|[-_. ])v?(\d+(?:\.\d+)+(?:-(?:alpha|beta|rc|pre)[.\d]*)?)(?=$|[-_ ])/i.exec(stem);
  return m?.[1];
}

/** A .bmap beside the image: x.img.zst -> x.img.bmap, x.bmap (or x.img.zst.bmap). */
export async function findBmap(imagePath: string): Promise<string | undefined> {
  const dir = dirname(imagePath);
  const name = basename(imagePath);
  const img = stripCompressionSuffix(name);
  const stem = img.replace(/\.(img|iso|raw|bin)$/i, '');
  for (const candidate of [`${img}.bmap`, `${stem}.bmap`, `${name}.bmap`]) {
    const p = join(dir, candidate);
    if (
      await stat(p).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return p;
  }
  return undefined;
}

/** Progress of one check phase, by bytes read (the job runner throttles what reaches the user). */
function phaseProgress(ctx: JobContext, phase: CheckPhase, total: number) {
  const meter = new ProgressMeter(total);
  let bytes = 0;
  const set = (b: number) => ctx.progress({ kind: 'image', phase, ...meter.update(b) });
  return { add: (n: number) => set((bytes += n)), set };
}

async function hashFile(path: string, ctx: JobContext, total: number): Promise<string> {
  const h = createHash('sha256');
  const progress = phaseProgress(ctx, 'checksum', total);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal: ctx.signal })) {
      h.update(chunk as Buffer);
      progress.add((chunk as Buffer).length);
    }
  } catch (err) {
    if (ctx.signal.aborted) throw new KintsugiError('CANCELLED', `checking ${path} was cancelled`);
    throw err;
  }
  return h.digest('hex');
}

/**
 * Hashes the decompressed stream; progress counts compressed bytes read against the file size. The decoder's
 * output lands in one reused buffer through the flash's decodeInto (a Unix socket read in place): a stdout pipe
 * gave Node a new 64 KiB Buffer per read, and counting a 1 GiB image that way took ~1.6 s where zstd decodes it
 * in ~0.5 s.
 */
async function hashDecompressed(
  path: string,
  compression: ImageReport['compression'],
  ctx: JobContext,
  fileSize: number,
  phase: CheckPhase,
  hash = true,
): Promise<{ digest: string; size: number }> {
  // Without `hash` it only counts: the integrity pass (like `zstd -dc | wc -c`).
  const h = hash ? createHash('sha256') : undefined;
  const progress = phaseProgress(ctx, phase, fileSize);
  const buf = Buffer.allocUnsafe(DECODE_BUFFER);
  let size = 0;
  let run: DecodeRun | undefined;
  try {
    run = await decodeInto(
      path,
      compression,
      {
        next: () => buf,
        filled: (n) => {
          h?.update(buf.subarray(0, n));
          size += n;
          progress.set(run?.compressedBytes() ?? 0);
          return undefined;
        },
      },
      { signal: ctx.signal, countCompressed: true },
    );
    await run.done;
  } catch (err) {
    run?.destroy();
    if (ctx.signal.aborted) throw new KintsugiError('CANCELLED', `checking ${path} was cancelled`);
    // Say how far it got: a truncated download decodes up to its cut.
    if (err instanceof KintsugiError && err.code === 'IMAGE_CORRUPT')
      throw new KintsugiError('IMAGE_CORRUPT', `${err.detail} (after ${size} decompressed bytes)`, {
        cause: err,
      });
    throw err;
  }
  return { digest: h?.digest('hex') ?? '', size };
}

/** One socket read lands in it: the kernel hands a read ~250 KiB at most. */
const DECODE_BUFFER = 1024 * 1024;
