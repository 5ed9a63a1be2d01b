// The files published beside a release image, made with the real tools so tests exercise real formats:
// compressed image (zstd/xz/gzip), sha256sum-format checksum file, minisign signature, bmaptool block map.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export type FixtureCompression = 'zstd' | 'xz' | 'gzip';

/** Compresses IMAGE beside itself (image.zst / .xz / .gz), keeping the original. Returns the new path. */
export async function compressFixture(image: string, format: FixtureCompression): Promise<string> {
  if (format === 'zstd') {
    await execa('zstd', ['-q', '-f', '-T0', '-3', '-o', `${image}.zst`, image]);
    return `${image}.zst`;
  }
  if (format === 'xz') {
    await execa('xz', ['-k', '-f', '-T0', '-1', image]);
    return `${image}.xz`;
  }
  await execa('gzip', ['-k', '-f', '-1', image]);
  return `${image}.gz`;
}

export async function sha256OfFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Writes OUT in sha256sum format ("<hex>  <basename>") for FILES; `sha256sum -c` in their folder accepts it. */
export async function writeSha256File(files: string[], out: string): Promise<string> {
  const lines: string[] = [];
  for (const f of files) lines.push(`${await sha256OfFile(f)}  ${basename(f)}`);
  await writeFile(out, lines.join('\n') + '\n');
  return out;
}

export interface MinisignResult {
  pubkeyPath: string;
  /** The base64 public key line (what a user pastes into settings / --pubkey). */
  pubkey: string;
  minisigPath: string;
  secretKeyPath: string;
}

/** Signs FILE with a throwaway, password-less key pair (minisign -G -W) made in a fresh temp dir. */
export async function signWithMinisign(
  file: string,
  opts: { trustedComment?: string } = {},
): Promise<MinisignResult> {
  const keyDir = await mkdtemp(join(tmpdir(), 'kintsugi-minisign-'));
  const pubkeyPath = join(keyDir, 'test.pub');
  const secretKeyPath = join(keyDir, 'test.key');
  await execa('minisign', ['-G', '-W', '-p', pubkeyPath, '-s', secretKeyPath]);
  const minisigPath = `${file}.minisig`;
  const args = ['-S', '-s', secretKeyPath, '-m', file, '-x', minisigPath];
  if (opts.trustedComment) args.push('-t', opts.trustedComment);
  await execa('minisign', args, { input: '' });
  const pubkey = (await readFile(pubkeyPath, 'utf8')).trim().split('\n').pop()!.trim();
  return { pubkeyPath, pubkey, minisigPath, secretKeyPath };
}

/** bmaptool create IMAGE -> IMAGE.bmap (maps only allocated ranges of a sparse image). */
export async function makeBmap(image: string, out = `${image}.bmap`): Promise<string> {
  await execa('bmaptool', ['create', '-o', out, image]);
  return out;
}
