import { createHash } from 'node:crypto';

// BLAKE2b-512, as coreutils' b2sum prints it ("<128 hex>  <name>"): PKGBUILD's b2sums and the .b2 file next to
// each promoted patch. Node's OpenSSL has it as 'blake2b512'; a test checks it against b2sum itself.

export const blake2b512Hex = (data: Buffer | string): string =>
  createHash('blake2b512').update(data).digest('hex');

export const b2sumLine = (hex: string, name: string): string => `${hex}  ${name}\n`;

/** The hex of a b2sum line, or undefined when the text is not one. */
export function parseB2sumLine(text: string): { hex: string; name: string } | undefined {
  const m = /^([0-9a-f]{128}) [ *](.+)\n?$/.exec(text);
  return m ? { hex: m[1]!, name: m[2]! } : undefined;
}

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
