import { basename } from 'node:path';
import { KintsugiError } from '../../../shared/errors';

// Checksum files come in sha256sum's GNU format ("HASH  name", "HASH *name" for binary mode; Perl shasum adds
// "HASH Uname" / "HASH ^name" for its universal mode) or BSD's ("SHA256 (name) = HASH", from `sha256sum --tag`
// or `shasum --tag`), sometimes with comments, CRLF line ends or a single bare hash. Both GNU forms start the line
// with a backslash when the name holds a backslash or a line break, escaped as \\, \n and \r.

export interface Sha256Entry {
  hash: string; // lower-case hex
  /** The file name as written; undefined for a bare hash line. */
  name?: string;
}

export interface Sha256Match {
  expected: string;
  fileName: string;
  /** Which bytes the entry names: the file as stored (compressed) or the decompressed image. */
  target: 'compressed' | 'image';
}

const GNU = /^(\\?)([0-9a-fA-F]{64}) [ *U^](.+)$/;
const BSD = /^(\\?)SHA256 \((.+)\) ?= ?([0-9a-fA-F]{64})$/;
const BARE = /^([0-9a-fA-F]{64})$/;

export function parseSha256File(text: string): Sha256Entry[] {
  const entries: Sha256Entry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let m = GNU.exec(line);
    if (m) {
      entries.push({ hash: m[2]!.toLowerCase(), name: unescapeName(m[3]!, m[1] === '\\') });
      continue;
    }
    m = BSD.exec(line);
    if (m) {
      entries.push({ hash: m[3]!.toLowerCase(), name: unescapeName(m[2]!, m[1] === '\\') });
      continue;
    }
    m = BARE.exec(line);
    if (m) entries.push({ hash: m[1]!.toLowerCase() });
  }
  return entries;
}

/** Undoes coreutils' escaping of a name marked by a leading backslash on its line. */
function unescapeName(name: string, escaped: boolean): string {
  if (!escaped) return name;
  return name.replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

/** The image's name without its compression suffix: x.img.zst -> x.img. */
export function stripCompressionSuffix(name: string): string {
  return name.replace(/\.(zst|zstd|xz|gz)$/i, '');
}

/**
 * Finds the entry for `imagePath` (the file as stored, maybe compressed). An entry may name the stored file or
 * the decompressed image; names are compared by base name because checksum files often carry a directory.
 * A file holding one bare hash applies to the stored file.
 */
export function matchSha256Entry(
  entries: Sha256Entry[],
  imagePath: string,
  checksumFile = 'the checksum file',
): Sha256Match {
  const stored = basename(imagePath);
  const decompressed = stripCompressionSuffix(stored);
  const byName = (want: string) =>
    entries.find((e) => e.name !== undefined && basename(e.name.replace(/^\.\//, '')) === want);
  const direct = byName(stored);
  if (direct) return { expected: direct.hash, fileName: direct.name!, target: 'compressed' };
  if (decompressed !== stored) {
    const img = byName(decompressed);
    if (img) return { expected: img.hash, fileName: img.name!, target: 'image' };
  }
  const bare = entries.filter((e) => e.name === undefined);
  if (bare.length === 1 && entries.length === 1)
    return { expected: bare[0]!.hash, fileName: stored, target: 'compressed' };
  const names = entries.length
    ? `it lists: ${entries.map((e) => e.name ?? '(bare hash)').join(', ')}`
    : 'it has no line in sha256sum or BSD (--tag) format';
  const wanted = decompressed !== stored ? `${stored} or ${decompressed}` : stored;
  throw new KintsugiError('IMAGE_CHECKSUM_MISSING', `${checksumFile} has no entry for ${wanted} (${names})`);
}
