import { createHash, randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../src/main/core/jobs/context';
import { checkImage } from '../../src/main/core/image/check';
import { openDecompressed } from '../../src/main/core/image/decompress';
import { detectFileCompression } from '../../src/main/core/image/detect-compression';
import { sha256OfFile } from '../helpers/fixture-release';

// Every compressed format an image may come in, made with the real tools (pzstd, bzip2, lz4, zip, tar), read
// through the one detector and the one decompression path that the check, flash and verify share.

const MiB = 1024 * 1024;
let dir: string;
let img: string;
let imgSha: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-formats-'));
  img = join(dir, 'kintsugi-v2.1.img');
  // An MBR-signed image with some incompressible data, so every format has real blocks to decode.
  const fh = await open(img, 'w');
  const head = randomBytes(512);
  head[510] = 0x55;
  head[511] = 0xaa;
  await fh.write(head, 0, 512, 0);
  await fh.write(randomBytes(MiB), 0, MiB, 2 * MiB);
  await fh.truncate(4 * MiB);
  await fh.close();
  imgSha = await sha256OfFile(img);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function sha256OfDecompressed(
  path: string,
  compression: Awaited<ReturnType<typeof detectFileCompression>>,
) {
  const h = createHash('sha256');
  let compressed = 0;
  const dec = openDecompressed(path, compression, { onCompressed: (c) => (compressed += c.length) });
  for await (const chunk of dec.stream as AsyncIterable<Buffer>) h.update(chunk);
  await dec.done;
  return { digest: h.digest('hex'), compressed };
}

const makers: Record<string, (out: string) => string[][]> = {
  // pzstd starts its output with a skippable frame (0x184D2A50) that indexes the zstd frames after it.
  pzstd: (out) => [['pzstd', '-q', '-f', '-p', '2', img, '-o', out]],
  bzip2: (out) => [['sh', '-c', 'bzip2 -c -1 "$0" > "$1"', img, out]],
  lz4: (out) => [['lz4', '-q', '-f', img, out]],
  'lz4 legacy': (out) => [['lz4', '-q', '-f', '-l', img, out]],
  zip: (out) => [['zip', '-q', '-j', out, img]],
};
const expectedKind: Record<string, string> = {
  pzstd: 'zstd',
  bzip2: 'bzip2',
  lz4: 'lz4',
  'lz4 legacy': 'lz4',
  zip: 'zip',
};

describe('image formats', () => {
  for (const [name, make] of Object.entries(makers)) {
    it(`a ${name} image is detected, checked to the end and decompresses to the image`, async () => {
      // Named .img.zst on purpose: content decides, not the name.
      const out = join(dir, `${name.replace(' ', '-')}-v2.1.img.zst`);
      for (const [cmd, ...args] of make(out)) await execa(cmd!, args);
      const compression = await detectFileCompression(out);
      expect(compression).toBe(expectedKind[name]);
      const report = await checkImage({ source: out, fullCheck: true }, quietContext());
      expect(report).toMatchObject({ compression: expectedKind[name], imageSize: 4 * MiB });
      const { digest, compressed } = await sha256OfDecompressed(out, compression);
      expect(digest).toBe(imgSha);
      expect(compressed).toBe(report.fileSize); // the compressed bytes were all seen (hashing the file as stored)
    });
  }

  it('a zip with several files or none is refused, naming what it holds', async () => {
    const other = join(dir, 'README.txt');
    await writeFile(other, 'read me\n');
    const two = join(dir, 'two.zip');
    await execa('zip', ['-q', '-j', two, img, other]);
    await expect(detectFileCompression(two)).rejects.toMatchObject({
      code: 'IMAGE_ARCHIVE_UNSUPPORTED',
      detail: expect.stringMatching(/2 files \(kintsugi-v2\.1\.img, README\.txt\)/),
    });
    await expect(checkImage({ source: two }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_ARCHIVE_UNSUPPORTED',
    });
    // Only a folder: no file at all. And an empty zip (just the end record).
    await mkdir(join(dir, 'sub'), { recursive: true });
    const onlyDir = join(dir, 'dir.zip');
    await execa('zip', ['-q', onlyDir, 'sub/'], { cwd: dir });
    await expect(detectFileCompression(onlyDir)).rejects.toMatchObject({
      code: 'IMAGE_ARCHIVE_UNSUPPORTED',
      detail: expect.stringContaining('holds no file'),
    });
    const empty = join(dir, 'empty.zip');
    await writeFile(empty, Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]));
    await expect(detectFileCompression(empty)).rejects.toMatchObject({
      code: 'IMAGE_ARCHIVE_UNSUPPORTED',
      detail: expect.stringContaining('holds no file'),
    });
  });

  it('a tar, 7z or rar archive is refused by name', async () => {
    const tar = join(dir, 'image.tar');
    await execa('tar', ['-cf', tar, '-C', dir, 'kintsugi-v2.1.img']);
    await expect(checkImage({ source: tar }, quietContext())).rejects.toMatchObject({
      code: 'IMAGE_ARCHIVE_UNSUPPORTED',
      detail: expect.stringContaining('a tar archive, not a disk image'),
    });
    // No 7z/rar writer on the test machines: their signatures (7-Zip's and RAR 5's documented headers) suffice.
    for (const [kind, magic] of [
      ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04]],
      ['rar', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00]],
    ] as const) {
      const f = join(dir, `image-${kind}.img.zst`);
      await writeFile(f, Buffer.concat([Buffer.from(magic), randomBytes(4096)]));
      await expect(checkImage({ source: f }, quietContext())).rejects.toMatchObject({
        code: 'IMAGE_ARCHIVE_UNSUPPORTED',
        detail: expect.stringContaining(`a ${kind} archive, not a disk image`),
      });
    }
  });
});
