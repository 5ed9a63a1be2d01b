import { createHash } from 'node:crypto';
import { KintsugiError } from '../../../shared/errors';
import type { Bmap } from './bmap';

// A bmap's own checksum (BmapFileChecksum in 1.4/2.x, BmapFileSHA1 in 1.3), checked exactly as bmaptool checks
// it, so a file bmaptool accepts is accepted and one it refuses is refused: the stored digits are found (first
// occurrence) in the file's raw bytes, replaced by as many '0's, and the file is hashed with the bmap's
// ChecksumType. The raw bytes, not decoded text: re-encoding could change what was hashed.

/**
 * Throws when the file checksum does not match (a bmap edited by hand or damaged in transit).
 * Returns false when the bmap's version carries no file checksum (1.0-1.2).
 */
export function verifyBmapFileChecksum(raw: Buffer, source: string, bmap: Bmap): boolean {
  const tag = bmap.fileChecksumTag;
  if (tag === undefined || bmap.checksumType === undefined) return false;
  const stored = bmap.fileChecksum;
  // bmaptool cannot check such a file and refuses it.
  if (stored === undefined)
    throw new KintsugiError('IMAGE_BMAP_INVALID', `${source}: bmap ${bmap.version} has no <${tag}> element`);
  const at = raw.indexOf(stored, 0, 'latin1');
  const zeroed = Buffer.from(raw);
  if (at >= 0) zeroed.fill('0', at, at + stored.length);
  const actual = createHash(bmap.checksumType).update(zeroed).digest('hex');
  // bmaptool compares with the stored text as is: its digests are lowercase, and so must the stored one be.
  if (at < 0 || actual !== stored)
    throw new KintsugiError(
      'IMAGE_BMAP_INVALID',
      `${source}: checksum mismatch for the bmap file: calculated ${actual}, should be ${stored} (damaged or edited)`,
    );
  return true;
}
