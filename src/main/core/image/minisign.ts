import { createHash, createPublicKey, verify as edVerify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';

// minisign signatures verified in-process (Node's Ed25519 + BLAKE2b-512), so the app needs no minisign binary and
// the prehashed mode streams the image instead of loading it. Format (minisign's own docs):
//   public key: base64( "Ed" | key id (8 bytes LE) | Ed25519 public key (32) )
//   .minisig:   untrusted comment line, base64( "Ed"|"ED" | key id (8) | signature (64) ),
//               trusted comment line, base64( global signature (64) over signature || trusted comment )
// "Ed" (legacy) signs the file itself; "ED" (default since minisign 0.8) signs BLAKE2b-512 of the file.

export interface MinisignPublicKey {
  keyId: string; // hex, as minisign prints it (little-endian bytes reversed)
  keyIdBytes: Buffer;
  key: KeyObject;
}

export interface MinisignSignature {
  algorithm: 'Ed' | 'ED';
  keyIdBytes: Buffer;
  signature: Buffer;
  trustedComment: string;
  globalSignature: Buffer;
}

export interface MinisignVerification {
  keyId: string;
  trustedComment: string;
  prehashed: boolean;
}

/** Legacy 'Ed' signatures need the whole file in memory (Ed25519 is not streaming): refuse beyond this. */
const LEGACY_MAX_BYTES = 1024 * 1024 * 1024;

function invalid(detail: string): KintsugiError {
  return new KintsugiError('IMAGE_SIGNATURE_INVALID', detail);
}

/** As minisign prints it: the little-endian 64-bit id in upper-case hex, without leading zeros (printf "%llX"). */
function keyIdHex(bytes: Buffer): string {
  return Buffer.from(bytes)
    .reverse()
    .toString('hex')
    .toUpperCase()
    .replace(/^0+(?=.)/, '');
}

/** Accepts the bare base64 key line or the text of a .pub file (untrusted comment + key line). */
export function parsePublicKey(text: string): MinisignPublicKey {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('untrusted comment:'));
  const b64 = lines[0];
  const raw = b64 && /^[A-Za-z0-9+/=]+$/.test(b64) ? Buffer.from(b64, 'base64') : undefined;
  if (!raw || raw.length !== 42 || raw.subarray(0, 2).toString('latin1') !== 'Ed')
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      'the minisign public key is not a valid key (expected the base64 line starting "RW")',
    );
  const keyIdBytes = raw.subarray(2, 10);
  const x = raw.subarray(10, 42).toString('base64url');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  return { keyId: keyIdHex(keyIdBytes), keyIdBytes, key };
}

/** `pubkey` is either the base64 key line or a path to a .pub file. */
export async function loadPublicKey(pubkey: string): Promise<MinisignPublicKey> {
  const trimmed = pubkey.trim();
  if (/^RW[A-Za-z0-9+/=]{50,}$/.test(trimmed)) return parsePublicKey(trimmed);
  // The whole .pub text pasted (settings field, `--pubkey "$(cat k.pub)"`): the comment line, then the key line.
  if (/^untrusted comment:.*\n/.test(trimmed)) return parsePublicKey(trimmed);
  let text: string;
  try {
    text = await readFile(trimmed, 'utf8');
  } catch {
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `the public key is neither a minisign key line nor a readable file: ${trimmed}`,
    );
  }
  return parsePublicKey(text);
}

export function parseSignature(text: string, source = 'the .minisig file'): MinisignSignature {
  const lines = text.split(/\r?\n/);
  const sigLine = lines[1]?.trim();
  const tc = lines[2];
  const globalLine = lines[3]?.trim();
  if (
    !lines[0]?.startsWith('untrusted comment:') ||
    !sigLine ||
    !tc?.startsWith('trusted comment: ') ||
    !globalLine
  )
    throw invalid(`${source} is not a minisign signature file`);
  const raw = Buffer.from(sigLine, 'base64');
  const algorithm = raw.subarray(0, 2).toString('latin1');
  if (raw.length !== 74 || (algorithm !== 'Ed' && algorithm !== 'ED'))
    throw invalid(`${source} has an unknown signature algorithm`);
  const globalSignature = Buffer.from(globalLine, 'base64');
  if (globalSignature.length !== 64) throw invalid(`${source} has a malformed trusted comment signature`);
  return {
    algorithm,
    keyIdBytes: raw.subarray(2, 10),
    signature: raw.subarray(10, 74),
    trustedComment: tc.slice('trusted comment: '.length).replace(/\r$/, ''),
    globalSignature,
  };
}

async function blake2b512File(
  path: string,
  signal?: AbortSignal,
  onBytes?: (n: number) => void,
): Promise<Buffer> {
  const h = createHash('blake2b512');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    h.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return h.digest();
}

/**
 * Verifies `filePath` against its minisig text and a public key. Throws IMAGE_SIGNATURE_INVALID naming what
 * failed (key id, file signature, trusted comment); returns the trusted comment on success.
 */
export async function verifyMinisign(
  filePath: string,
  signatureText: string,
  publicKey: MinisignPublicKey,
  opts: { signal?: AbortSignal; onBytes?: (n: number) => void; source?: string } = {},
): Promise<MinisignVerification> {
  const sig = parseSignature(signatureText, opts.source);
  if (!sig.keyIdBytes.equals(publicKey.keyIdBytes))
    throw invalid(`signed with key ${keyIdHex(sig.keyIdBytes)}, but the public key is ${publicKey.keyId}`);
  let message: Buffer;
  if (sig.algorithm === 'ED') {
    message = await blake2b512File(filePath, opts.signal, opts.onBytes);
  } else {
    const { size } = await stat(filePath);
    if (size > LEGACY_MAX_BYTES)
      throw invalid(
        `legacy (non-prehashed) signature on a ${size}-byte file: re-sign with minisign's default mode`,
      );
    message = await readFile(filePath);
    opts.onBytes?.(size);
  }
  if (!edVerify(null, message, publicKey.key, sig.signature))
    throw invalid(`the signature does not match ${filePath}`);
  const global = Buffer.concat([sig.signature, Buffer.from(sig.trustedComment, 'utf8')]);
  if (!edVerify(null, global, publicKey.key, sig.globalSignature))
    throw invalid('the trusted comment signature does not match (comment altered)');
  return { keyId: publicKey.keyId, trustedComment: sig.trustedComment, prehashed: sig.algorithm === 'ED' };
}
