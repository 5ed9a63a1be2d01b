import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { detectCompression, detectRefusedArchive } from '../../src/main/core/image/detect-compression';
import { matchSha256Entry, parseSha256File } from '../../src/main/core/image/sha256-file';
import { versionFromName } from '../../src/main/core/image/check';
import { parsePublicKey } from '../../src/main/core/image/minisign';

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);

describe('detectCompression', () => {
  it('reads magic bytes, not names', () => {
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24]))).toBe('zstd');
    expect(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00]))).toBe('xz');
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 0x08]))).toBe('gzip');
    expect(detectCompression(Buffer.from([0xeb, 0x63, 0x90]))).toBe('none');
    // A prefix of a magic number is not a match.
    expect(detectCompression(Buffer.from([0xfd, 0x37, 0x7a]))).toBe('none');
    expect(detectCompression(Buffer.alloc(0))).toBe('none');
  });

  it('knows every zstd frame kind, bzip2, lz4 and zip; names refused archives', () => {
    // pzstd output starts with a skippable frame (0x184D2A50..5F); zstd v0.7 legacy frames are 0xFD2FB527.
    for (const first of [0x50, 0x5a, 0x5f])
      expect(detectCompression(Buffer.from([first, 0x2a, 0x4d, 0x18, 4, 0, 0, 0]))).toBe('zstd');
    expect(detectCompression(Buffer.from([0x27, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(detectCompression(Buffer.from([0x60, 0x2a, 0x4d, 0x18]))).toBe('none');
    expect(detectCompression(Buffer.from('BZh91AY&SY'))).toBe('bzip2');
    expect(detectCompression(Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x64]))).toBe('lz4');
    expect(detectCompression(Buffer.from([0x02, 0x21, 0x4c, 0x18]))).toBe('lz4');
    expect(detectCompression(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe('zip');
    const tar = Buffer.alloc(512);
    tar.write('ustar', 257);
    expect(detectRefusedArchive(tar)).toBe('tar');
    expect(detectRefusedArchive(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))).toBe('7z');
    expect(detectRefusedArchive(Buffer.from('Rar!\x1a\x07\x00', 'latin1'))).toBe('rar');
    expect(detectRefusedArchive(Buffer.from([0xeb, 0x63, 0x90]))).toBeUndefined();
  });
});

describe('sha256 files', () => {
  it('parses GNU text and binary mode, BSD style, comments and CRLF', () => {
    const text = `# published 2025\r\n${A}  kintsugi-v1.img.zst\r\n${B} *kintsugi-v1.img\r\nSHA256 (other.iso) = ${A}\r\n\r\nnot a line\n`;
    expect(parseSha256File(text)).toEqual([
      { hash: A, name: 'kintsugi-v1.img.zst' },
      { hash: B.toLowerCase(), name: 'kintsugi-v1.img' },
      { hash: A, name: 'other.iso' },
    ]);
  });

  it('matches the compressed file first, then the decompressed image, by base name', () => {
    const entries = parseSha256File(`${B}  ./dist/kintsugi-v1.img\n${A}  dist/kintsugi-v1.img.zst\n`);
    expect(matchSha256Entry(entries, '/cache/kintsugi-v1.img.zst')).toEqual({
      expected: A,
      fileName: 'dist/kintsugi-v1.img.zst',
      target: 'compressed',
    });
    const onlyImage = parseSha256File(`${B}  kintsugi-v1.img\n`);
    expect(matchSha256Entry(onlyImage, '/x/kintsugi-v1.img.xz')).toMatchObject({
      expected: B.toLowerCase(),
      target: 'image',
    });
    expect(
      matchSha256Entry(parseSha256File(`SHA256 (kintsugi-v1.img.gz) = ${A}`), '/x/kintsugi-v1.img.gz').target,
    ).toBe('compressed');
  });

  it('a single bare hash applies to the compressed file', () => {
    expect(matchSha256Entry(parseSha256File(`${A}\n`), '/x/k.img.zst')).toEqual({
      expected: A,
      fileName: 'k.img.zst',
      target: 'compressed',
    });
  });

  it('IMAGE_CHECKSUM_MISSING names the file and what the checksum file lists', () => {
    try {
      matchSha256Entry(
        parseSha256File(`${A}  kintsugi-v2.img.zst\n`),
        '/x/kintsugi-v1.img.zst',
        'SHA256SUMS',
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(KintsugiError);
      expect((err as KintsugiError).code).toBe('IMAGE_CHECKSUM_MISSING');
      expect((err as KintsugiError).detail).toContain('kintsugi-v1.img.zst');
      expect((err as KintsugiError).detail).toContain('kintsugi-v2.img.zst');
    }
    expect(() => matchSha256Entry([], '/x/a.img')).toThrow(KintsugiError);
  });
});

describe('versionFromName', () => {
  it('finds the version in release file names', () => {
    expect(versionFromName('kintsugi-v1.4.img.zst')).toBe('1.4');
    expect(versionFromName('kintsugi-v1.4.2.img')).toBe('1.4.2');
    expect(versionFromName('kintsugi_2025.03.1-beta.img.xz')).toBe('2025.03.1-beta');
    expect(versionFromName('image.img.zst')).toBeUndefined();
    expect(versionFromName('Kintsugi v1.3.img.zst')).toBe('1.3'); // a name with spaces
    expect(versionFromName('Kintsugi v1.3 (copy).img.zst')).toBe('1.3');
  });
});

describe('minisign key ids', () => {
  it('are printed as minisign prints them: little-endian, upper-case hex, no leading zeros', () => {
    const line = (id: number[]) =>
      Buffer.concat([Buffer.from('Ed'), Buffer.from(id), Buffer.alloc(32, 7)]).toString('base64');
    expect(parsePublicKey(line([0x84, 0x58, 0xb1, 0xa0, 0xce, 0x60, 0xd8, 0x00])).keyId).toBe(
      'D860CEA0B15884',
    );
    expect(parsePublicKey(line([0x84, 0x58, 0xb1, 0xa0, 0xce, 0x60, 0xd8, 0x53])).keyId).toBe(
      '53D860CEA0B15884',
    );
    expect(parsePublicKey(line([0, 0, 0, 0, 0, 0, 0, 0])).keyId).toBe('0');
  });
});
