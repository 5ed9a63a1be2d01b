import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';

// bmaptool's block map: which blocks of an image hold data. Flashing and verifying only those is what makes a
// mostly-empty 8 GiB image flash in seconds. The format is small and stable, so a focused parser beats an XML
// dependency: versions 1.x (BmapFileSHA1, `sha1` range attributes) and 2.x (ChecksumType, `chksum`) are read.

export interface BmapRange {
  /** First and last block, inclusive, as in the file. */
  first: number;
  last: number;
  checksum?: string;
}

export interface Bmap {
  version: string;
  imageSize: number;
  blockSize: number;
  blocksCount: number;
  mappedBlocksCount: number;
  checksumType?: 'sha1' | 'sha256' | 'md5';
  ranges: BmapRange[];
}

/** A byte range [start, end) of the image. */
export interface ByteRange {
  start: number;
  end: number;
}

function tag(xml: string, name: string, source: string, required = true): string | undefined {
  const m = new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml);
  if (!m) {
    if (required) throw new KintsugiError('INVALID_ARGUMENT', `${source}: bmap has no <${name}> element`);
    return undefined;
  }
  return m[1];
}

function int(value: string | undefined, what: string, source: string): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new KintsugiError('INVALID_ARGUMENT', `${source}: bmap ${what} is not a number: ${value}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new KintsugiError('INVALID_ARGUMENT', `${source}: bmap ${what} is too large: ${value}`);
  return n;
}

export function parseBmap(xml: string, source = 'bmap'): Bmap {
  const root = /<bmap\s+version\s*=\s*"(\d+)\.(\d+)"\s*>/.exec(xml);
  if (!root)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${source}: not a bmap file (no <bmap version="..."> element)`,
    );
  const major = Number(root[1]);
  if (major < 1 || major > 2)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${source}: bmap version ${root[1]}.${root[2]} is not supported`,
    );
  const imageSize = int(tag(xml, 'ImageSize', source), 'ImageSize', source);
  const blockSize = int(tag(xml, 'BlockSize', source), 'BlockSize', source);
  const blocksCount = int(tag(xml, 'BlocksCount', source), 'BlocksCount', source);
  const mappedBlocksCount = int(tag(xml, 'MappedBlocksCount', source), 'MappedBlocksCount', source);
  if (blockSize === 0 || blockSize % 512 !== 0)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${source}: bmap BlockSize ${blockSize} is not a multiple of 512`,
    );
  if (Math.ceil(imageSize / blockSize) !== blocksCount)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${source}: bmap BlocksCount ${blocksCount} does not match ImageSize ${imageSize}`,
    );
  const ctype = tag(xml, 'ChecksumType', source, false)?.toLowerCase();
  let checksumType: Bmap['checksumType'];
  if (ctype === 'sha1' || ctype === 'sha256' || ctype === 'md5') checksumType = ctype;
  else if (ctype !== undefined)
    throw new KintsugiError('INVALID_ARGUMENT', `${source}: bmap ChecksumType ${ctype} is not supported`);
  else if (major === 1) checksumType = 'sha1'; // 1.x before ChecksumType existed always used SHA1

  const map = /<BlockMap>([\s\S]*?)<\/BlockMap>/.exec(xml);
  if (!map) throw new KintsugiError('INVALID_ARGUMENT', `${source}: bmap has no <BlockMap> element`);
  const ranges: BmapRange[] = [];
  const rangeRe = /<Range([^>]*)>\s*([^<]*?)\s*<\/Range>/g;
  let mapped = 0;
  let prevLast = -1;
  for (let m = rangeRe.exec(map[1]!); m; m = rangeRe.exec(map[1]!)) {
    const attrs = m[1]!;
    const body = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(m[2]!);
    if (!body) throw new KintsugiError('INVALID_ARGUMENT', `${source}: bad bmap Range "${m[2]}"`);
    const first = int(body[1], 'Range', source);
    const last = body[2] === undefined ? first : int(body[2], 'Range', source);
    if (last < first || first <= prevLast || last >= blocksCount)
      throw new KintsugiError(
        'INVALID_ARGUMENT',
        `${source}: bmap Range "${m[2]}" is out of order or outside the image`,
      );
    prevLast = last;
    const ck = /(?:chksum|sha1)\s*=\s*"([0-9a-fA-F]+)"/.exec(attrs);
    ranges.push(ck ? { first, last, checksum: ck[1]!.toLowerCase() } : { first, last });
    mapped += last - first + 1;
  }
  if (mapped !== mappedBlocksCount)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${source}: bmap ranges cover ${mapped} blocks but MappedBlocksCount says ${mappedBlocksCount}`,
    );
  return {
    version: `${root[1]}.${root[2]}`,
    imageSize,
    blockSize,
    blocksCount,
    mappedBlocksCount,
    checksumType,
    ranges,
  };
}

/**
 * Checks the bmap's own checksum (2.x BmapFileChecksum / 1.x BmapFileSHA1): computed over the file with the
 * checksum's digits replaced by '0'. A bmap edited by hand or damaged in transit is refused.
 * Returns false when the file carries no checksum.
 */
export function checkBmapFileChecksum(xml: string, source = 'bmap'): boolean {
  const m = /<(BmapFileChecksum|BmapFileSHA1)>\s*([0-9a-fA-F]+)\s*<\//.exec(xml);
  if (!m) return false;
  const algo =
    m[1] === 'BmapFileSHA1' ? 'sha1' : m[2]!.length === 40 ? 'sha1' : m[2]!.length === 32 ? 'md5' : 'sha256';
  const zeroed = xml.replace(m[2]!, '0'.repeat(m[2]!.length));
  const actual = createHash(algo).update(zeroed).digest('hex');
  if (actual !== m[2]!.toLowerCase())
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${source}: the bmap file's own checksum does not match (damaged or edited)`,
    );
  return true;
}

export async function readBmapFile(path: string): Promise<Bmap> {
  const xml = await readFile(path, 'utf8');
  checkBmapFileChecksum(xml, path);
  return parseBmap(xml, path);
}

/** Mapped byte ranges, the last one clipped to ImageSize (the image may end inside its last block). */
export function bmapByteRanges(bmap: Bmap): ByteRange[] {
  return bmap.ranges.map((r) => ({
    start: r.first * bmap.blockSize,
    end: Math.min((r.last + 1) * bmap.blockSize, bmap.imageSize),
  }));
}

export function bmapMappedBytes(bmap: Bmap): number {
  return bmapByteRanges(bmap).reduce((n, r) => n + (r.end - r.start), 0);
}
