import { describe, expect, it } from 'vitest';
import { parseSfdiskJson } from '../../src/main/core/persistence/partition-table';
import { parseBlkidExport } from '../../src/main/core/persistence/probe';

describe('parseSfdiskJson', () => {
  it('turns GPT sectors into bytes, keeps names, and numbers pN partition nodes', () => {
    const t = parseSfdiskJson(
      JSON.stringify({
        partitiontable: {
          label: 'gpt',
          id: 'X',
          device: '/dev/loop7',
          unit: 'sectors',
          firstlba: 34,
          lastlba: 131038,
          sectorsize: 512,
          partitions: [
            {
              node: '/dev/loop7p1',
              start: 2048,
              size: 16384,
              type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
              uuid: 'a',
              name: 'KINTSUGI-BOOT',
            },
            {
              node: '/dev/loop7p2',
              start: 18432,
              size: 110592,
              type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
              uuid: 'b',
            },
          ],
        },
      }),
    );
    expect(t).toEqual({
      label: 'gpt',
      sectorSize: 512,
      partitions: [
        {
          number: 1,
          node: '/dev/loop7p1',
          offset: 1048576,
          size: 8388608,
          type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
          name: 'KINTSUGI-BOOT',
        },
        {
          number: 2,
          node: '/dev/loop7p2',
          offset: 9437184,
          size: 56623104,
          type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
        },
      ],
    });
  });

  it('uses the sector size from the table (4K-sector drives) and MBR gaps in numbering', () => {
    const t = parseSfdiskJson(
      JSON.stringify({
        partitiontable: {
          label: 'dos',
          id: '0x1',
          device: 'disk1.img',
          unit: 'sectors',
          sectorsize: 4096,
          partitions: [
            { node: 'disk1.img1', start: 256, size: 1000, type: '7' },
            { node: 'disk1.img3', start: 2000, size: 10, type: 'ef' },
          ],
        },
      }),
    );
    expect(t.partitions.map((p) => [p.number, p.offset, p.size])).toEqual([
      [1, 256 * 4096, 1000 * 4096],
      [3, 2000 * 4096, 10 * 4096],
    ]);
  });

  it('defaults to 512-byte sectors for old sfdisk output without sectorsize', () => {
    const t = parseSfdiskJson(
      '{"partitiontable":{"label":"dos","device":"/dev/sdb","partitions":[{"node":"/dev/sdb1","start":2048,"size":4,"type":"83"}]}}',
    );
    expect(t.partitions[0]).toMatchObject({ number: 1, offset: 1048576, size: 2048 });
  });
});

describe('parseBlkidExport', () => {
  it('reads TYPE and LABEL, including labels with spaces and =', () => {
    expect(parseBlkidExport('LABEL=my data=1\nUUID=x\nTYPE=ext4\nUSAGE=filesystem')).toEqual({
      type: 'ext4',
      label: 'my data=1',
    });
    expect(parseBlkidExport('')).toEqual({ type: undefined, label: undefined });
  });
});
