import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

// Writes bmaps that `bmaptool create` cannot produce (sha1 range checksums, format 1.3/1.4, single-quoted
// attributes) for the same image, laid out like bmaptool's own files, with range and file checksums computed here
// independently of the app's parser. Tests cross-check each one with the real `bmaptool copy`.

export interface BmapVariant {
  version: '1.2' | '1.3' | '1.4' | '2.0';
  /** Range checksum type (1.3 is always sha1; 1.2 has none). */
  type?: 'sha1' | 'sha256';
  quote?: '"' | "'";
  blockSize?: number;
}

/** Mapped block ranges [first, last] of `image` read from a bmaptool-created bmap (plain regex: test-only). */
export function rangesOf(bmapXml: string): [number, number][] {
  return [...bmapXml.matchAll(/<Range[^>]*>\s*(\d+)(?:\s*-\s*(\d+))?\s*<\/Range>/g)].map((m) => [
    Number(m[1]),
    Number(m[2] ?? m[1]),
  ]);
}

export async function writeBmapVariant(
  image: string,
  ranges: [number, number][],
  out: string,
  v: BmapVariant,
): Promise<string> {
  const data = await readFile(image);
  const bs = v.blockSize ?? 4096;
  const q = v.quote ?? '"';
  const type = v.version === '1.3' ? 'sha1' : v.version === '1.2' ? undefined : (v.type ?? 'sha256');
  const hexLen = type === 'sha1' ? 40 : 64;
  const attr = v.version === '1.3' ? 'sha1' : 'chksum';
  const fileTag = v.version === '1.3' ? 'BmapFileSHA1' : 'BmapFileChecksum';
  const mapped = ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  let xml = `<?xml version=${q}1.0${q} ?>\n<bmap version=${q}${v.version}${q}>\n`;
  xml += `    <ImageSize> ${data.length} </ImageSize>\n    <BlockSize> ${bs} </BlockSize>\n`;
  xml += `    <BlocksCount> ${Math.ceil(data.length / bs)} </BlocksCount>\n`;
  xml += `    <MappedBlocksCount> ${mapped} </MappedBlocksCount>\n`;
  if (type && v.version !== '1.3') xml += `    <ChecksumType> ${type} </ChecksumType>\n`;
  if (type) xml += `    <${fileTag}> ${'0'.repeat(hexLen)} </${fileTag}>\n`;
  xml += '    <BlockMap>\n';
  for (const [a, b] of ranges) {
    const body = a === b ? `${a}` : `${a}-${b}`;
    const sum = type
      ? ` ${attr}=${q}${createHash(type)
          .update(data.subarray(a * bs, Math.min((b + 1) * bs, data.length)))
          .digest('hex')}${q}`
      : '';
    xml += `        <Range${sum}> ${body} </Range>\n`;
  }
  xml += '    </BlockMap>\n</bmap>\n';
  if (type) {
    const digest = createHash(type).update(xml).digest('hex');
    xml = xml.replace('0'.repeat(hexLen), digest);
  }
  await writeFile(out, xml);
  return out;
}

/** Recomputes a bmap's own checksum after an edit (as bmaptool create computes it), so only the edit is wrong. */
export function resealBmap(xml: string): string {
  const m = /<(BmapFileChecksum|BmapFileSHA1)>\s*([0-9a-f]+)\s*</.exec(xml);
  if (!m) throw new Error('the bmap has no file checksum');
  const type = m[1] === 'BmapFileSHA1' ? 'sha1' : /<ChecksumType>\s*(\w+)\s*</.exec(xml)![1]!;
  const zeroed = xml.replace(m[2]!, '0'.repeat(m[2]!.length));
  return zeroed.replace('0'.repeat(m[2]!.length), createHash(type).update(zeroed).digest('hex'));
}
