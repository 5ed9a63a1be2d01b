import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImage } from '../../src/main/core/image/check';
import { quietContext } from '../../src/main/core/jobs/context';
import { compressFixture, signWithMinisign, type MinisignResult } from '../helpers/fixture-release';

// A configured minisign public key means signatures are required (as the real minisign tool, a key set and no
// .minisig is not "unchecked", it is refused): IMAGE_SIGNATURE_MISSING unless the user explicitly goes unsigned.

const MiB = 1024 * 1024;
let dir: string;
let zst: string;
let signed: MinisignResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-sigreq-'));
  const img = join(dir, 'kintsugi-v6.img');
  const fh = await open(img, 'w');
  const first = randomBytes(MiB);
  first[510] = 0x55;
  first[511] = 0xaa;
  await fh.write(first, 0, MiB, 0);
  await fh.truncate(2 * MiB);
  await fh.close();
  zst = await compressFixture(img, 'zstd');
  signed = await signWithMinisign(zst, { trustedComment: 'kintsugi 6' }); // writes kintsugi-v6.img.zst.minisig
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a configured public key requires a signature', () => {
  it('an image without a .minisig is IMAGE_SIGNATURE_MISSING; allowUnsigned goes on and says so', async () => {
    const lone = join(dir, 'lone-v6.img.zst');
    await copyFile(zst, lone);
    await expect(checkImage({ source: lone, pubkey: signed.pubkey }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_SIGNATURE_MISSING',
      detail: expect.stringContaining('lone-v6.img.zst.minisig'),
    });
    const report = await checkImage(
      { source: lone, pubkey: signed.pubkey, allowUnsigned: true },
      quietContext(),
    );
    expect(report).toMatchObject({ unsigned: true });
    expect(report.signature).toBeUndefined();
    // No key: nothing is required, nothing is claimed.
    expect((await checkImage({ source: lone }, quietContext())).unsigned).toBeUndefined();
  });

  it('the .minisig published beside the image is found and checked without being named', async () => {
    const report = await checkImage({ source: zst, pubkey: signed.pubkey }, quietContext());
    expect(report.signature).toMatchObject({ ok: true, trustedComment: 'kintsugi 6' });
    expect(report.unsigned).toBeUndefined();
  });
});
