import { meaningful } from '../../src/main/core/drives/list-drives';
import { describe, expect, it } from 'vitest';
import { parseMountinfo, systemMounts } from '../../src/main/core/drives/boot-device';
import { parseLsblk } from '../../src/main/core/drives/parse-lsblk';
import { orderedTargets } from '../../src/main/core/drives/unmount';

// A laptop: NVMe system disk with LUKS -> LVM (root, home, swap), a USB stick with two partitions, a detached loop.
const LAPTOP = {
  blockdevices: [
    {
      name: 'nvme0n1',
      path: '/dev/nvme0n1',
      type: 'disk',
      size: 512110190592,
      ro: false,
      rm: false,
      label: null,
      fstype: null,
      mountpoints: [null],
      pkname: null,
      tran: 'nvme',
      model: 'Samsung SSD 980',
      children: [
        {
          name: 'nvme0n1p1',
          path: '/dev/nvme0n1p1',
          type: 'part',
          size: 536870912,
          ro: false,
          rm: false,
          label: 'EFI',
          fstype: 'vfat',
          mountpoints: ['/boot/efi'],
          pkname: 'nvme0n1',
          tran: 'nvme',
          model: null,
        },
        {
          name: 'nvme0n1p2',
          path: '/dev/nvme0n1p2',
          type: 'part',
          size: 511571705856,
          ro: false,
          rm: false,
          label: null,
          fstype: 'crypto_LUKS',
          mountpoints: [null],
          pkname: 'nvme0n1',
          tran: 'nvme',
          model: null,
          children: [
            {
              name: 'luks-1234',
              path: '/dev/mapper/luks-1234',
              type: 'crypt',
              size: 511554928640,
              ro: false,
              rm: false,
              label: null,
              fstype: 'LVM2_member',
              mountpoints: [null],
              pkname: 'nvme0n1p2',
              tran: null,
              model: null,
              children: [
                {
                  name: 'vg-root',
                  path: '/dev/mapper/vg-root',
                  type: 'lvm',
                  size: 107374182400,
                  ro: false,
                  rm: false,
                  label: null,
                  fstype: 'ext4',
                  mountpoints: ['/'],
                  pkname: 'luks-1234',
                  tran: null,
                  model: null,
                },
                {
                  name: 'vg-home',
                  path: '/dev/mapper/vg-home',
                  type: 'lvm',
                  size: 396000000000,
                  ro: false,
                  rm: false,
                  label: null,
                  fstype: 'ext4',
                  mountpoints: ['/home'],
                  pkname: 'luks-1234',
                  tran: null,
                  model: null,
                },
                {
                  name: 'vg-swap',
                  path: '/dev/mapper/vg-swap',
                  type: 'lvm',
                  size: 8000000000,
                  ro: false,
                  rm: false,
                  label: null,
                  fstype: 'swap',
                  mountpoints: ['[SWAP]'],
                  pkname: 'luks-1234',
                  tran: null,
                  model: null,
                },
              ],
            },
          ],
        },
      ],
    },
    {
      name: 'sdb',
      path: '/dev/sdb',
      type: 'disk',
      size: 61530439680,
      ro: false,
      rm: true,
      label: null,
      fstype: null,
      mountpoints: [null],
      pkname: null,
      tran: 'usb',
      model: 'SanDisk 3.2Gen1',
      children: [
        {
          name: 'sdb1',
          path: '/dev/sdb1',
          type: 'part',
          size: 536870912,
          ro: false,
          rm: true,
          label: 'KINTSUGI-BOOT',
          fstype: 'vfat',
          mountpoints: ['/media/user/KINTSUGI-BOOT'],
          pkname: 'sdb',
          tran: 'usb',
          model: null,
        },
        {
          name: 'sdb2',
          path: '/dev/sdb2',
          type: 'part',
          size: 60000000000,
          ro: false,
          rm: true,
          label: 'persistence',
          fstype: 'ext4',
          mountpoints: ['/media/user/persistence', '/mnt/bind copy'],
          pkname: 'sdb',
          tran: 'usb',
          model: null,
        },
      ],
    },
    {
      name: 'loop0',
      path: '/dev/loop0',
      type: 'loop',
      size: 67108864,
      ro: true,
      rm: false,
      label: null,
      fstype: null,
      mountpoints: [null],
      pkname: null,
      tran: null,
      model: null,
    },
    { name: 'loop7', path: '/dev/loop7', type: 'loop', size: 0, ro: false, rm: false, mountpoints: [null] },
    {
      name: 'zram0',
      path: '/dev/zram0',
      type: 'disk',
      size: 4294967296,
      ro: false,
      rm: false,
      mountpoints: ['[SWAP]'],
    },
    {
      name: 'sr0',
      path: '/dev/sr0',
      type: 'rom',
      size: 1073741312,
      ro: false,
      rm: true,
      mountpoints: [null],
    },
  ],
};

describe('parseLsblk', () => {
  const drives = parseLsblk(JSON.stringify(LAPTOP));
  const byDev = new Map(drives.map((d) => [d.device, d]));

  it('keeps whole disks and attached loops, drops zram, optical and detached loops', () => {
    expect(drives.map((d) => d.device)).toEqual(['/dev/nvme0n1', '/dev/sdb', '/dev/loop0']);
  });

  it('follows mountpoints through LUKS and LVM to the disk', () => {
    const nvme = byDev.get('/dev/nvme0n1')!;
    expect(nvme.mountpoints.sort()).toEqual(['/', '/boot/efi', '/home', '[SWAP]']);
    expect(nvme.isSystem).toBe(true);
    expect(nvme.description).toBe('Samsung SSD 980');
    const p2 = nvme.partitions[1]!;
    expect(p2.fsType).toBe('crypto_LUKS');
    // Deepest first: the LVM volumes, then the LUKS mapping that holds them.
    expect(p2.holders.map((h) => `${h.type}:${h.path}`)).toEqual([
      'lvm:/dev/mapper/vg-root',
      'lvm:/dev/mapper/vg-home',
      'lvm:/dev/mapper/vg-swap',
      'crypt:/dev/mapper/luks-1234',
    ]);
  });

  it('reads labels, removable and read-only flags', () => {
    const sdb = byDev.get('/dev/sdb')!;
    expect(sdb).toMatchObject({
      isRemovable: true,
      isSystem: false,
      isLoop: false,
      isReadOnly: false,
      size: 61530439680,
    });
    expect(sdb.partitions.map((p) => p.label)).toEqual(['KINTSUGI-BOOT', 'persistence']);
    expect(sdb.mountpoints).toEqual([
      '/media/user/KINTSUGI-BOOT',
      '/media/user/persistence',
      '/mnt/bind copy',
    ]);
    expect(byDev.get('/dev/loop0')).toMatchObject({
      isLoop: true,
      isReadOnly: true,
      isSystem: false,
      mountpoints: [],
    });
  });

  it('accepts older lsblk output (string numbers, single mountpoint)', () => {
    const [d] = parseLsblk({
      blockdevices: [
        { name: 'sdc', type: 'disk', size: '1000', ro: '1', rm: '1', mountpoint: '/media/x', children: [] },
      ],
    });
    expect(d).toMatchObject({
      device: '/dev/sdc',
      size: 1000,
      isReadOnly: true,
      isRemovable: true,
      mountpoints: ['/media/x'],
    });
  });

  it('orders unmount targets: holders and deeper paths before what they sit on', () => {
    const t = orderedTargets(byDev.get('/dev/nvme0n1')!).map((x) => x.mountpoint);
    expect(t[0]).toBe('[SWAP]');
    expect(t.indexOf('/boot/efi')).toBeLessThan(t.indexOf('/'));
    expect(t).toHaveLength(4);
  });
});

describe('parseMountinfo', () => {
  const text = [
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '30 27 8:17 / /media/user/my\\040stick rw,nosuid shared:1 - vfat /dev/sdb1 rw',
    '31 27 0:40 / /run/live/medium ro - iso9660 /dev/sdc ro',
    '32 27 0:41 / /boot rw master:2 - btrfs /dev/mapper/root rw',
    '33 27 8:33 / / rw - ext4 /dev/sdd1 rw',
  ].join('\n');
  it('parses fields, optional tags and escaped spaces', () => {
    const e = parseMountinfo(text);
    expect(e).toHaveLength(5);
    expect(e[1]).toMatchObject({
      major: 8,
      minor: 17,
      mountPoint: '/media/user/my stick',
      fsType: 'vfat',
      source: '/dev/sdb1',
    });
    expect(e[3]).toMatchObject({ fsType: 'btrfs', source: '/dev/mapper/root', mountPoint: '/boot' });
  });
  it('picks system mounts, the last mount on a path winning', () => {
    const m = systemMounts(parseMountinfo(text));
    expect(m.map((x) => `${x.mountPoint}=${x.source}`).sort()).toEqual([
      '/=/dev/sdd1',
      '/boot=/dev/mapper/root',
      '/run/live/medium=/dev/sdc',
    ]);
  });
});

describe('drive descriptions', () => {
  it("keeps drivelist's words, but not a bare bus id (a virtio disk is '0x1af4' there)", () => {
    expect(meaningful('SanDisk Ultra USB 3.0')).toBe('SanDisk Ultra USB 3.0');
    for (const id of ['0x1af4', '1af4', '0x1AF4:0x1042', '  ', undefined])
      expect(meaningful(id)).toBeUndefined();
  });
});
