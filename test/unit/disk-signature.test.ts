import { describe, expect, it } from 'vitest';
import { diskSignature, guessNonImage } from '../../src/main/core/image/disk-signature';

const at = (offset: number, bytes: number[] | string, size = 72 * 1024) => {
  const b = Buffer.alloc(size);
  Buffer.from(bytes as never, typeof bytes === 'string' ? 'latin1' : undefined).copy(b, offset);
  return b;
};

describe('diskSignature', () => {
  it('knows partition tables, ISOs and filesystem superblocks', () => {
    expect(diskSignature(at(510, [0x55, 0xaa]))).toBe('MBR or FAT boot sector');
    expect(diskSignature(at(512, 'EFI PART'))).toBe('GPT');
    expect(diskSignature(at(32769, 'CD001'))).toBe('ISO 9660');
    expect(diskSignature(at(1080, [0x53, 0xef]))).toBe('ext2/3/4');
    expect(diskSignature(at(0, 'hsqs'))).toBe('squashfs');
    expect(diskSignature(at(65600, '_BHRfS_M'))).toBe('btrfs');
    expect(diskSignature(Buffer.alloc(72 * 1024))).toBeUndefined();
    // A head too short to hold the structure is not one.
    expect(diskSignature(at(510, [0x55, 0xaa]).subarray(0, 511))).toBeUndefined();
  });

  it('says what a wrong pick most likely is', () => {
    expect(
      guessNonImage(Buffer.from('untrusted comment: signature from minisign secret key\nRUQ...')),
    ).toContain('minisign');
    expect(guessNonImage(Buffer.from(`${'a'.repeat(64)}  kintsugi-v1.img.zst\n`))).toContain('checksum');
    expect(guessNonImage(Buffer.from('<!DOCTYPE html><html><body>404</body></html>'))).toContain('web page');
    expect(guessNonImage(Buffer.from([0, 1, 2, 200, 255]))).toBe('');
    const tar = Buffer.alloc(512);
    tar.write('kintsugi.img', 0);
    tar.write('ustar', 257);
    expect(guessNonImage(tar)).toContain('tar archive');
  });
});
