import { readFile } from 'node:fs/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { KintsugiError } from '../../../shared/errors';
import { verifyBmapFileChecksum } from './bmap-file-checksum';

// bmaptool's block map: which blocks of an image hold data. Flashing and verifying only those is what makes a
// mostly-empty 8 GiB image flash in seconds. The file is XML, so it is read with an XML parser (any quoting,
// comments, entities and layout a real XML writer may produce), and then checked the way bmaptool's BmapCopy
// checks it: versions 1.x and 2.x; 1.3 carries sha1 range checksums (`sha1=`, BmapFileSHA1), 1.4 and 2.x name
// their type in ChecksumType (`chksum=`, BmapFileChecksum). Stricter than bmaptool where a loose bmap would make
// the flash write out of order or outside the image: ranges must be ordered, inside the image and add up to
// MappedBlocksCount.

/** Digests bmaptool may name in ChecksumType (hashlib names that Node's crypto also has). */
export const BMAP_CHECKSUM_TYPES = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'md5'] as const;
export type BmapChecksumType = (typeof BMAP_CHECKSUM_TYPES)[number];

/** Hex digits of each digest: a range or file checksum of another length is refused up front. */
export const CHECKSUM_HEX_LENGTH: Record<BmapChecksumType, number> = {
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
  md5: 32,
};

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
  /** The range (and file) checksum type; undefined for versions without checksums. */
  checksumType?: BmapChecksumType;
  /** The file's own checksum (BmapFileChecksum / BmapFileSHA1) as written, when the version has one. */
  fileChecksum?: string;
  /** The element that holds it in this version (undefined: the version has no file checksum). */
  fileChecksumTag?: 'BmapFileChecksum' | 'BmapFileSHA1';
  ranges: BmapRange[];
}

/** A byte range [start, end) of the image. */
export interface ByteRange {
  start: number;
  end: number;
}

// Text always under '#text' and attributes under '@_name', whatever the element holds; values stay strings
// (numbers are checked here, not guessed by the parser); Range is always a list, even of one.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: true,
  trimValues: true,
  isArray: (name) => name === 'Range',
});

type Node = { '#text'?: string; [attr: `@_${string}`]: string | undefined } & Record<string, unknown>;

const invalid = (source: string, what: string) =>
  new KintsugiError('IMAGE_BMAP_INVALID', `${source}: ${what}`);

function element(parent: Node, name: string, source: string): Node {
  const el = parent[name];
  if (el === undefined || el === null || typeof el !== 'object' || Array.isArray(el))
    throw invalid(source, `bmap has no <${name}> element`);
  return el as Node;
}

function text(parent: Node, name: string, source: string): string {
  return String(element(parent, name, source)['#text'] ?? '').trim();
}

function int(value: string, what: string, source: string): number {
  if (!/^\d+$/.test(value)) throw invalid(source, `bmap ${what} is not a number: ${value}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw invalid(source, `bmap ${what} is too large: ${value}`);
  return n;
}

/** Which checksums a version carries, as bmaptool decides it. */
function checksumScheme(
  major: number,
  minor: number,
): { attr: 'chksum' | 'sha1'; fileTag: 'BmapFileChecksum' | 'BmapFileSHA1'; typeTag: boolean } | undefined {
  // 1.4 was 2.0 released under the wrong number: the two formats are identical.
  if (major > 1 || (major === 1 && minor === 4))
    return { attr: 'chksum', fileTag: 'BmapFileChecksum', typeTag: true };
  if (major === 1 && minor === 3) return { attr: 'sha1', fileTag: 'BmapFileSHA1', typeTag: false };
  return undefined; // 1.0-1.2 had no checksums (bmaptool ignores any); `sha1=` attributes are still honoured below
}

export function parseBmap(xml: string, source = 'bmap'): Bmap {
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw invalid(
      source,
      `not a bmap file: not well-formed XML (${valid.err.msg} at line ${valid.err.line}, column ${valid.err.col})`,
    );
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = doc['bmap'] as Node | undefined;
  const version = typeof root === 'object' ? root['@_version']?.trim() : undefined;
  const v = version === undefined ? null : /^(\d+)\.(\d+)$/.exec(version);
  if (!root || !v) throw invalid(source, 'not a bmap file (no <bmap version="..."> element)');
  const major = Number(v[1]);
  const minor = Number(v[2]);
  if (major < 1 || major > 2)
    throw invalid(source, `bmap version ${version} is not supported (1.0 to 2.x are)`);

  const imageSize = int(text(root, 'ImageSize', source), 'ImageSize', source);
  const blockSize = int(text(root, 'BlockSize', source), 'BlockSize', source);
  const blocksCount = int(text(root, 'BlocksCount', source), 'BlocksCount', source);
  const mappedBlocksCount = int(text(root, 'MappedBlocksCount', source), 'MappedBlocksCount', source);
  // The writer works in whole device sectors; bmaptool itself only ever creates 4096-byte blocks.
  if (blockSize === 0 || blockSize % 512 !== 0)
    throw invalid(source, `bmap BlockSize ${blockSize} is not a multiple of 512`);
  if (Math.ceil(imageSize / blockSize) !== blocksCount)
    throw invalid(source, `bmap BlocksCount ${blocksCount} does not match ImageSize ${imageSize}`);

  const scheme = checksumScheme(major, minor);
  let checksumType: BmapChecksumType | undefined;
  let fileChecksum: string | undefined;
  if (scheme) {
    const ctype = scheme.typeTag ? text(root, 'ChecksumType', source).toLowerCase() : 'sha1';
    if (!(BMAP_CHECKSUM_TYPES as readonly string[]).includes(ctype))
      throw invalid(source, `bmap ChecksumType ${ctype} is not supported`);
    checksumType = ctype as BmapChecksumType;
    // Its absence is refused when the file is checked (readBmapFile), as bmaptool refuses it.
    if (root[scheme.fileTag] !== undefined) {
      fileChecksum = text(root, scheme.fileTag, source);
      if (fileChecksum.length !== CHECKSUM_HEX_LENGTH[checksumType] || !/^[0-9a-fA-F]+$/.test(fileChecksum))
        throw invalid(source, `bmap ${scheme.fileTag} is not a ${checksumType} checksum: ${fileChecksum}`);
    }
  }
  // Before 1.3 only sha1 existed; a `sha1=` attribute there can mean nothing else.
  const attr = scheme?.attr ?? 'sha1';
  const rangeType = checksumType ?? 'sha1';

  const map = element(root, 'BlockMap', source);
  const list = (map['Range'] ?? []) as Node[];
  const ranges: BmapRange[] = [];
  let mapped = 0;
  let prevLast = -1;
  for (const r of list) {
    const body = String(r['#text'] ?? '').trim();
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(body);
    if (!m) throw invalid(source, `bad bmap Range "${body}"`);
    const first = int(m[1]!, 'Range', source);
    const last = m[2] === undefined ? first : int(m[2], 'Range', source);
    if (last < first || first <= prevLast || last >= blocksCount)
      throw invalid(source, `bmap Range "${body}" is out of order or outside the image`);
    prevLast = last;
    const ck = r[`@_${attr}`]?.trim();
    if (ck !== undefined && (ck.length !== CHECKSUM_HEX_LENGTH[rangeType] || !/^[0-9a-fA-F]+$/.test(ck)))
      throw invalid(source, `bmap Range "${body}" has a ${attr} that is not a ${rangeType} checksum: ${ck}`);
    ranges.push(ck !== undefined ? { first, last, checksum: ck.toLowerCase() } : { first, last });
    mapped += last - first + 1;
  }
  if (mapped !== mappedBlocksCount)
    throw invalid(
      source,
      `bmap ranges cover ${mapped} blocks but MappedBlocksCount says ${mappedBlocksCount}`,
    );
  const anyChecksum = ranges.some((r) => r.checksum !== undefined);
  return {
    version: `${major}.${minor}`,
    imageSize,
    blockSize,
    blocksCount,
    mappedBlocksCount,
    ...(checksumType || anyChecksum ? { checksumType: rangeType } : {}),
    ...(scheme ? { fileChecksumTag: scheme.fileTag } : {}),
    ...(fileChecksum !== undefined ? { fileChecksum } : {}),
    ranges,
  };
}

/**
 * Checks a bmap's own checksum (see bmap-file-checksum.ts); false when its version carries none.
 * Throws when it is not a bmap or the checksum does not match.
 */
export function checkBmapFileChecksum(xml: string | Buffer, source = 'bmap'): boolean {
  const raw = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  return verifyBmapFileChecksum(raw, source, parseBmap(raw.toString('utf8'), source));
}

/** Reads, parses and self-checks (as bmaptool does before anything else) a .bmap file. */
export async function readBmapFile(path: string): Promise<Bmap> {
  const raw = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new KintsugiError('IMAGE_BMAP_UNREADABLE', `${path}: ${err.code ?? err.message}`, { cause: err });
  });
  const bmap = parseBmap(raw.toString('utf8'), path);
  verifyBmapFileChecksum(raw, path, bmap);
  return bmap;
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
