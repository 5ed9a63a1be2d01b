import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import {
  bmapByteRanges,
  bmapMappedBytes,
  checkBmapFileChecksum,
  parseBmap,
  readBmapFile,
} from '../../src/main/core/image/bmap';

const V1 = `<?xml version="1.0" ?>
<bmap version="1.2">
    <ImageSize> 10000 </ImageSize>
    <BlockSize> 4096 </BlockSize>
    <BlocksCount> 3 </BlocksCount>
    <MappedBlocksCount> 2 </MappedBlocksCount>
    <BmapFileSHA1> 0000000000000000000000000000000000000000 </BmapFileSHA1>
    <BlockMap>
        <Range sha1="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"> 0 </Range>
        <Range> 2 </Range>
    </BlockMap>
</bmap>`;

const V2 = `<bmap version="2.0">
  <ImageSize>1048576</ImageSize><BlockSize>4096</BlockSize><BlocksCount>256</BlocksCount>
  <MappedBlocksCount>12</MappedBlocksCount><ChecksumType>sha256</ChecksumType>
  <BlockMap>
    <Range chksum="${'b'.repeat(64)}"> 0-1 </Range>
    <Range chksum="${'c'.repeat(64)}">10-19</Range>
  </BlockMap>
</bmap>`;

describe('parseBmap', () => {
  it('reads 1.x with sha1 attributes and single-block ranges; clips the last range to ImageSize', () => {
    const b = parseBmap(V1);
    expect(b).toMatchObject({
      version: '1.2',
      imageSize: 10000,
      blockSize: 4096,
      blocksCount: 3,
      mappedBlocksCount: 2,
      checksumType: 'sha1',
    });
    expect(b.ranges).toEqual([
      { first: 0, last: 0, checksum: 'a'.repeat(40) },
      { first: 2, last: 2 },
    ]);
    expect(bmapByteRanges(b)).toEqual([
      { start: 0, end: 4096 },
      { start: 8192, end: 10000 },
    ]);
    expect(bmapMappedBytes(b)).toBe(4096 + 1808);
  });

  it('reads 2.x ranges "a-b" with chksum', () => {
    const b = parseBmap(V2);
    expect(b.checksumType).toBe('sha256');
    expect(bmapByteRanges(b)).toEqual([
      { start: 0, end: 8192 },
      { start: 40960, end: 81920 },
    ]);
  });

  it('refuses inconsistent or foreign files with INVALID_ARGUMENT naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['<html></html>', /not a bmap/],
      [V2.replace('<MappedBlocksCount>12', '<MappedBlocksCount>13'), /MappedBlocksCount/],
      [V2.replace('10-19', '19-10'), /Range/],
      [V2.replace('10-19', '250-300'), /outside/],
      [V2.replace('<BlocksCount>256', '<BlocksCount>255'), /BlocksCount/],
      [V2.replace('version="2.0"', 'version="3.0"'), /not supported/],
      [V2.replace('<BlockSize>4096', '<BlockSize>100'), /BlockSize/],
    ];
    for (const [xml, why] of cases) {
      const err = (() => {
        try {
          parseBmap(xml, 'x.bmap');
        } catch (e) {
          return e as KintsugiError;
        }
      })();
      expect(err, String(why)).toBeInstanceOf(KintsugiError);
      expect(err!.code).toBe('INVALID_ARGUMENT');
      expect(err!.detail).toMatch(why);
      expect(err!.detail).toContain('x.bmap');
    }
  });

  it('reads a real file from bmaptool create and checks its own checksum', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kintsugi-bmap-'));
    try {
      const img = join(dir, 'a.img');
      const fh = await open(img, 'w');
      await fh.write(randomBytes(8192), 0, 8192, 0);
      await fh.write(randomBytes(20000), 0, 20000, 3 * 1024 * 1024);
      await fh.truncate(5 * 1024 * 1024 + 100);
      await fh.close();
      await execa('bmaptool', ['create', '-o', join(dir, 'a.bmap'), img]);
      const b = await readBmapFile(join(dir, 'a.bmap'));
      expect(b.imageSize).toBe(5 * 1024 * 1024 + 100);
      expect(b.ranges.length).toBe(2);
      expect(b.ranges[0]).toMatchObject({ first: 0, last: 1 });
      expect(b.ranges[1]!.first).toBe(768);
      expect(b.ranges[1]!.checksum).toMatch(/^[0-9a-f]{64}$/);
      // Tampering is caught by the file's own checksum.
      const xml = await readFile(join(dir, 'a.bmap'), 'utf8');
      expect(checkBmapFileChecksum(xml)).toBe(true);
      await writeFile(join(dir, 'b.bmap'), xml.replace('<BlockMap>', '<BlockMap>\n<!-- x -->'));
      await expect(readBmapFile(join(dir, 'b.bmap'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
