import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPublicKey, verifyMinisign } from '../../src/main/core/image/minisign';

// Signatures made by Debian's real minisign tool, verified in-process.

let dir: string;
let file: string;
let pubPath: string;
let pubLine: string;
let otherPub: string;

async function keypair(name: string): Promise<{ pub: string; key: string }> {
  const pub = join(dir, `${name}.pub`);
  const key = join(dir, `${name}.key`);
  await execa('minisign', ['-G', '-W', '-p', pub, '-s', key]);
  return { pub, key };
}

async function sign(key: string, target: string, out: string, legacy: boolean, comment: string) {
  await execa(
    'minisign',
    ['-S', ...(legacy ? ['-l'] : []), '-s', key, '-m', target, '-x', out, '-t', comment],
    { input: '' },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-minisign-'));
  file = join(dir, 'kintsugi-v1.img.zst');
  await writeFile(file, randomBytes(3 * 1024 * 1024 + 17));
  const k = await keypair('good');
  pubPath = k.pub;
  pubLine = (await readFile(k.pub, 'utf8')).trim().split('\n').pop()!;
  await sign(k.key, file, `${file}.ED.minisig`, false, 'release 1.0 prehashed');
  await sign(k.key, file, `${file}.Ed.minisig`, true, 'release 1.0 legacy');
  otherPub = (await keypair('other')).pub;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifyMinisign', () => {
  for (const mode of ['ED', 'Ed'] as const) {
    it(`accepts a real ${mode === 'ED' ? 'prehashed' : 'legacy'} signature with the key line or the .pub file`, async () => {
      const sig = await readFile(`${file}.${mode}.minisig`, 'utf8');
      // The whole .pub text, as pasted into the settings field or passed as --pubkey "$(cat k.pub)".
      const pubText = await readFile(pubPath, 'utf8');
      for (const key of [pubLine, pubPath, pubText]) {
        const v = await verifyMinisign(file, sig, await loadPublicKey(key));
        expect(v.prehashed).toBe(mode === 'ED');
        expect(v.trustedComment).toBe(mode === 'ED' ? 'release 1.0 prehashed' : 'release 1.0 legacy');
        // minisign prints key ids in upper-case hex without leading zeros (1 key in 16 is shorter).
        expect(v.keyId).toMatch(/^[1-9A-F][0-9A-F]{0,15}$/);
      }
      // minisign itself agrees with the key id we print: the last word of its .pub comment line.
      const minisignKeyId = (await readFile(pubPath, 'utf8')).split('\n')[0]!.trim().split(' ').pop();
      expect((await loadPublicKey(pubLine)).keyId).toBe(minisignKeyId);
    });

    it(`rejects a ${mode} signature over a modified file, a wrong key and an altered trusted comment`, async () => {
      const sig = await readFile(`${file}.${mode}.minisig`, 'utf8');
      const key = await loadPublicKey(pubLine);
      const tampered = join(dir, `tampered-${mode}`);
      const bytes = await readFile(file);
      bytes[1_000_000]! ^= 1;
      await writeFile(tampered, bytes);
      await expect(verifyMinisign(tampered, sig, key)).rejects.toMatchObject({
        code: 'IMAGE_SIGNATURE_INVALID',
        detail: expect.stringContaining('does not match'),
      });
      await expect(verifyMinisign(file, sig, await loadPublicKey(otherPub))).rejects.toMatchObject({
        code: 'IMAGE_SIGNATURE_INVALID',
        detail: expect.stringContaining('signed with key'),
      });
      const altered = sig.replace(/^trusted comment: .*$/m, 'trusted comment: release 9.9');
      await expect(verifyMinisign(file, altered, key)).rejects.toMatchObject({
        code: 'IMAGE_SIGNATURE_INVALID',
        detail: expect.stringContaining('trusted comment'),
      });
      await expect(verifyMinisign(file, 'garbage', key)).rejects.toMatchObject({
        code: 'IMAGE_SIGNATURE_INVALID',
      });
    });
  }

  it('a malformed public key is INVALID_ARGUMENT', async () => {
    await expect(loadPublicKey('RWnotakey')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(loadPublicKey(join(dir, 'missing.pub'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
