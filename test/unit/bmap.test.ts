import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import {
  bmapByteRanges,
  bmapMappedBytes,
  checkBmapFileChecksum,
  parseBmap,
  readBmapFile,
} from '../../src/main/core/image/bmap';
import { rangesOf, writeBmapVariant, type BmapVariant } from '../helpers/bmap-variants';

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

  it('refuses inconsistent or foreign files with IMAGE_BMAP_INVALID naming the problem', () => {
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
      expect(err!.code).toBe('IMAGE_BMAP_INVALID');
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
      await expect(readBmapFile(join(dir, 'b.bmap'))).rejects.toMatchObject({ code: 'IMAGE_BMAP_INVALID' });
      // A file that cannot be read says so (not an internal error).
      await expect(readBmapFile(join(dir, 'missing.bmap'))).rejects.toMatchObject({
        code: 'IMAGE_BMAP_UNREADABLE',
        detail: expect.stringContaining('ENOENT'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseBmap matches bmaptool', () => {
  let dir: string;
  let img: string;
  let ranges: [number, number][];

  /** bmaptool's own verdict on a bmap: does `bmaptool copy` accept it for this image? */
  async function bmaptoolAccepts(bmap: string): Promise<boolean> {
    const r = await execa('bmaptool', ['-q', 'copy', '--bmap', bmap, img, join(dir, 'copy.out')], {
      reject: false,
    });
    return r.exitCode === 0;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kintsugi-bmapv-'));
    img = join(dir, 'v.img');
    const fh = await open(img, 'w');
    await fh.write(randomBytes(10000), 0, 10000, 0);
    await fh.write(randomBytes(9000), 0, 9000, 1024 * 1024);
    await fh.truncate(2 * 1024 * 1024 + 300);
    await fh.close();
    await execa('bmaptool', ['create', '-o', join(dir, 'v.bmap'), img]);
    ranges = rangesOf(await readFile(join(dir, 'v.bmap'), 'utf8'));
    expect(ranges.length).toBe(2);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts single-quoted attributes (valid XML)', () => {
    const single = V2.replace(/"/g, "'");
    expect(single).toContain("version='2.0'");
    const b = parseBmap(single, 'single.bmap');
    expect(b.version).toBe('2.0');
    expect(b.ranges[0]).toEqual({ first: 0, last: 1, checksum: 'b'.repeat(64) });
  });

  const variants: BmapVariant[] = [
    { version: '1.2' },
    { version: '1.3' },
    { version: '1.4', type: 'sha1' },
    { version: '1.4', type: 'sha256' },
    { version: '2.0', type: 'sha1' },
    { version: '2.0', type: 'sha256' },
    { version: '2.0', type: 'sha1', quote: "'" },
    { version: '1.3', quote: "'" },
  ];
  for (const v of variants) {
    it(`reads a ${v.version} ${v.type ?? ''} bmap${v.quote === "'" ? " with 'single' quotes" : ''} that bmaptool copy accepts`, async () => {
      const path = await writeBmapVariant(
        img,
        ranges,
        join(dir, `v-${v.version}-${v.type}-${v.quote === "'" ? 'sq' : 'dq'}.bmap`),
        v,
      );
      expect(await bmaptoolAccepts(path)).toBe(true);
      const b = await readBmapFile(path);
      const type = v.version === '1.2' ? undefined : v.version === '1.3' ? 'sha1' : v.type;
      expect(b.checksumType).toBe(type);
      expect(b.ranges.map((r) => [r.first, r.last])).toEqual(ranges);
      if (type) expect(b.ranges.every((r) => r.checksum?.length === (type === 'sha1' ? 40 : 64))).toBe(true);
      expect(checkBmapFileChecksum(await readFile(path))).toBe(v.version !== '1.2');
    });
  }

  it('checks the file checksum where bmaptool does, and only there', async () => {
    // 2.0 without BmapFileChecksum: bmaptool cannot check the file and refuses it.
    const good = await readFile(
      await writeBmapVariant(img, ranges, join(dir, 'g.bmap'), { version: '2.0' }),
      'utf8',
    );
    const noSum = join(dir, 'nosum.bmap');
    await writeFile(noSum, good.replace(/ *<BmapFileChecksum>[^<]*<\/BmapFileChecksum>\n/, ''));
    expect(await bmaptoolAccepts(noSum)).toBe(false);
    await expect(readBmapFile(noSum)).rejects.toMatchObject({
      detail: expect.stringMatching(/BmapFileChecksum/),
    });
    // A stored checksum in capitals is not what bmaptool computes: refused by both.
    const upper = join(dir, 'upper.bmap');
    const sum = /<BmapFileChecksum> (\w+) </.exec(good)![1]!;
    await writeFile(upper, good.replace(sum, sum.toUpperCase()));
    expect(await bmaptoolAccepts(upper)).toBe(false);
    await expect(readBmapFile(upper)).rejects.toMatchObject({
      detail: expect.stringMatching(/checksum mismatch/),
    });
    // 1.2 has no file checksum: bmaptool ignores a BmapFileSHA1 there, whatever it says.
    const old = join(dir, 'old.bmap');
    const v12 = await readFile(
      await writeBmapVariant(img, ranges, join(dir, 'v12.bmap'), { version: '1.2' }),
      'utf8',
    );
    await writeFile(
      old,
      v12.replace('<BlockMap>', `<BmapFileSHA1> ${'1'.repeat(40)} </BmapFileSHA1>\n    <BlockMap>`),
    );
    expect(await bmaptoolAccepts(old)).toBe(true);
    await expect(readBmapFile(old)).resolves.toMatchObject({ version: '1.2' });
    // Not well-formed XML is not a bmap (bmaptool: "should be a proper XML file").
    const broken = join(dir, 'broken.bmap');
    await writeFile(broken, good.replace('</BlockMap>', ''));
    expect(await bmaptoolAccepts(broken)).toBe(false);
    await expect(readBmapFile(broken)).rejects.toMatchObject({
      detail: expect.stringMatching(/not a bmap file/),
    });
  });
});
