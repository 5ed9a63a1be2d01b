// Drives on this machine, for real: loop devices this file creates, the disk holding / (found with findmnt and
// lsblk as an independent oracle, only ever read), /proc/self/mountinfo and sysfs. Nothing here writes to any device.
import { execa } from 'execa';
import { mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDisks, disksHoldingPath } from '../../src/main/core/drives/boot-device';
import {
  canonicalBlockDevice,
  canonicalWholeDisk,
  isPathOnDrive,
  whichDrivesHold,
} from '../../src/main/core/drives/identity';
import { listDrives, readLsblk } from '../../src/main/core/drives/list-drives';
import { resolveTargetDrive } from '../../src/main/core/drives/resolve-target';
import { unmountDrive } from '../../src/main/core/drives/unmount';
import { driveViews } from '../../src/main/core/drives/views';
import { KintsugiError } from '../../src/shared/errors';
import { attachLoop, detachLoop, heldByTests, mountDevice, unmountDir } from '../helpers/loop';

const MiB = 1024 * 1024;
let dir: string;
let fsImage: string;
let loop: string; // 32 MiB ext4, read-write
let roLoop: string; // the same file, read-only
let rootDisk: string; // the whole disk under /, e.g. /dev/vda here, /dev/sda or /dev/nvme0n1 elsewhere

/** The disk holding /, the way an administrator would find it: findmnt, then lsblk's parent name. */
async function rootDiskByTools(): Promise<string> {
  const source = (await execa('findmnt', ['-no', 'SOURCE', '/'])).stdout.trim();
  const parent = (await execa('lsblk', ['-ndo', 'PKNAME', source])).stdout.trim();
  return parent ? `/dev/${parent}` : source;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof KintsugiError ? `${err.code}: ${err.detail}` : `other: ${String(err)}`;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-drives-'));
  fsImage = join(dir, 'fs.img');
  const fh = await open(fsImage, 'w');
  await fh.truncate(32 * MiB);
  await fh.close();
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'KTEST', fsImage]);
  loop = await attachLoop(fsImage);
  roLoop = await attachLoop(fsImage, { readOnly: true });
  rootDisk = await rootDiskByTools();
  expect(rootDisk).toMatch(/^\/dev\//);
});

afterAll(async () => {
  for (const d of [loop, roLoop]) if (d) await detachLoop(d).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  expect(heldByTests().loops).toEqual([]);
});

describe('listDrives', () => {
  it('hides loop devices unless asked, and shows ours with its size and label when asked', async () => {
    const hidden = await listDrives({ includeLoop: false });
    expect(hidden.some((d) => d.isLoop)).toBe(false);
    const all = await listDrives({ includeLoop: true });
    const mine = all.find((d) => d.device === loop);
    expect(mine).toMatchObject({ isLoop: true, size: 32 * MiB, isReadOnly: false, isSystem: false });
    expect(all.find((d) => d.device === roLoop)?.isReadOnly).toBe(true);
  });

  it('marks the disk holding / as a system drive (drivelist verdict merged in)', async () => {
    const root = (await listDrives({ includeLoop: false })).find((d) => d.device === rootDisk);
    expect(root?.isSystem).toBe(true);
    expect(root?.mountpoints).toContain('/');
  });
});

describe('boot disks', () => {
  it('finds the disk holding / from mountinfo', async () => {
    expect(await bootDisks()).toContain(rootDisk);
  });

  it('follows a mount of our loop device back to the loop and the disk under its backing file', async () => {
    const mnt = await mountDevice(loop);
    try {
      expect(await bootDisks({ paths: [mnt] })).toEqual([rootDisk, loop].sort());
      await writeFile(join(mnt, 'image.img'), 'x');
      expect(await disksHoldingPath(join(mnt, 'image.img'))).toContain(loop);
      const views = await driveViews(await listDrives({ includeLoop: true }), {
        includeLoop: true,
        imagePath: join(mnt, 'image.img'),
      });
      const mine = views.find((v) => v.device === loop)!;
      expect(mine.selectable).toBe(false);
      expect(mine.issues.map((i) => i.code).sort()).toEqual(['holds-image', 'mounted']);
    } finally {
      await unmountDir(mnt);
    }
  });
});

describe('resolveTargetDrive', () => {
  it('refuses what is not a whole disk, naming it', async () => {
    expect(await codeOf(resolveTargetDrive(join(dir, 'nope'), { includeLoop: true }))).toMatch(
      /^DRIVE_NOT_FOUND: .*nope/,
    );
    expect(await codeOf(resolveTargetDrive(fsImage, { includeLoop: true }))).toMatch(
      /^DRIVE_NOT_WHOLE_DISK: .*regular file/,
    );
    expect(await codeOf(resolveTargetDrive('/dev/null', { includeLoop: true }))).toMatch(
      /^DRIVE_NOT_WHOLE_DISK: .*character/,
    );
    expect(await codeOf(resolveTargetDrive(dir, { includeLoop: true }))).toMatch(
      /^DRIVE_NOT_WHOLE_DISK: .*directory/,
    );
  });

  it('refuses a loop device that starts inside its file (a partition, as losetup -o makes), even with the opt-in', async () => {
    const part = await attachLoop(fsImage, { offset: MiB, sizeLimit: 8 * MiB });
    try {
      expect(await codeOf(resolveTargetDrive(part, { includeLoop: true }))).toMatch(
        /^DRIVE_NOT_WHOLE_DISK: .*starting 1048576 bytes into .*fs\.img/,
      );
    } finally {
      await detachLoop(part);
    }
  });

  it('refuses a loop device without the opt-in and accepts it with', async () => {
    expect(await codeOf(resolveTargetDrive(loop, { includeLoop: false }))).toMatch(/^DRIVE_LOOP_NOT_ALLOWED/);
    const d = await resolveTargetDrive(loop, { includeLoop: true, imageSize: 32 * MiB });
    expect(d.device).toBe(loop);
  });

  it('refuses the system disk, the boot disk, a too-small and a read-only drive', async () => {
    expect(await codeOf(resolveTargetDrive(rootDisk, { includeLoop: false }))).toMatch(/^DRIVE_IS_SYSTEM/);
    expect(await codeOf(resolveTargetDrive(loop, { includeLoop: true, bootDisks: [loop] }))).toMatch(
      /^DRIVE_IS_BOOT/,
    );
    expect(await codeOf(resolveTargetDrive(loop, { includeLoop: true, imageSize: 32 * MiB + 1 }))).toMatch(
      /^DRIVE_TOO_SMALL/,
    );
    expect(await codeOf(resolveTargetDrive(roLoop, { includeLoop: true }))).toMatch(/^DRIVE_READ_ONLY/);
  });

  it('refuses the drive that holds the image', async () => {
    const mnt = await mountDevice(loop);
    try {
      await writeFile(join(mnt, 'kintsugi.img'), 'image');
      expect(
        await codeOf(resolveTargetDrive(loop, { includeLoop: true, imagePath: join(mnt, 'kintsugi.img') })),
      ).toMatch(/^DRIVE_HOLDS_IMAGE/);
    } finally {
      await unmountDir(mnt);
    }
  });
});

describe('device identity', () => {
  it('names a device by what it is: a symlink to it, /./dev/... and /dev/... are one loop device', async () => {
    const link = join(dir, 'looks-harmless');
    await symlink(loop, link);
    try {
      for (const spelling of [loop, `/.${loop}`, link, loop.replace('/dev/', '/dev/../dev/')]) {
        expect((await canonicalBlockDevice(spelling)).device).toBe(loop);
        expect(await canonicalWholeDisk(spelling)).toBe(loop);
        // The safety rules see the device, not the spelling: the same refusal, word for word.
        expect(await codeOf(resolveTargetDrive(spelling, { includeLoop: false }))).toBe(
          `DRIVE_LOOP_NOT_ALLOWED: ${loop} is a loop device`,
        );
      }
      expect(await codeOf(canonicalBlockDevice(dir))).toMatch(/^DRIVE_NOT_WHOLE_DISK: .*a directory/);
      await symlink(fsImage, join(dir, 'file-link'));
      expect(await codeOf(canonicalWholeDisk(join(dir, 'file-link')))).toMatch(
        /^DRIVE_NOT_WHOLE_DISK: .*a regular file/,
      );
    } finally {
      await rm(link, { force: true });
      await rm(join(dir, 'file-link'), { force: true });
    }
  });

  it('finds a directory on a mounted partition of a loop drive (another loop over the same file) on that drive', async () => {
    // A disk image with one partition; without udev its "partition" is an offset loop over the same file.
    const disk = join(dir, 'disk.img');
    const fh = await open(disk, 'w');
    await fh.truncate(24 * MiB);
    await fh.close();
    await execa('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', disk], {
      input: 'label: dos\nstart=2048, type=83\n',
    });
    const whole = await attachLoop(disk);
    const part = await attachLoop(disk, { offset: MiB, sizeLimit: 23 * MiB });
    let mnt: string | undefined;
    try {
      await execa('mkfs.ext4', ['-q', '-F', part]);
      mnt = await mountDevice(part);
      const inside = join(mnt, 'backups');
      await mkdir(inside);
      await writeFile(join(mnt, 'kintsugi.img'), 'image');
      expect(await isPathOnDrive(inside, whole)).toBe(true);
      expect(await isPathOnDrive(mnt, whole)).toBe(true);
      // Not on an unrelated loop device, and a temp dir is not on ours.
      expect(await whichDrivesHold(inside, [whole, loop])).toEqual(new Set([whole]));
      expect(await isPathOnDrive(dir, whole)).toBe(false);
      // The same rule keeps flash from writing the drive that holds the image.
      expect(
        await codeOf(resolveTargetDrive(whole, { includeLoop: true, imagePath: join(mnt, 'kintsugi.img') })),
      ).toMatch(/^DRIVE_HOLDS_IMAGE/);
    } finally {
      if (mnt) await unmountDir(mnt);
      await detachLoop(part);
      await detachLoop(whole);
      await rm(disk, { force: true });
    }
  });
});

describe('unmountDrive', () => {
  it('unmounts every mountpoint of the drive', async () => {
    const a = await mountDevice(loop);
    const b = await mountDevice(loop);
    const [drive] = await readLsblk([loop]);
    expect(drive!.mountpoints.sort()).toEqual([a, b].sort());
    const done = await unmountDrive(drive!);
    expect(done.sort()).toEqual([a, b].sort());
    expect((await readLsblk([loop]))[0]!.mountpoints).toEqual([]);
    await rm(a, { recursive: true });
    await rm(b, { recursive: true });
  });

  it('fails with DRIVE_UNMOUNT_FAILED naming the busy mountpoint', async () => {
    const mnt = await mountDevice(loop);
    const child = execa('sleep', ['60'], { cwd: mnt, reject: false });
    try {
      const [drive] = await readLsblk([loop]);
      const msg = await codeOf(unmountDrive(drive!));
      expect(msg).toMatch(/^DRIVE_UNMOUNT_FAILED: /);
      expect(msg).toContain(mnt);
    } finally {
      child.kill();
      await child;
      await unmountDir(mnt);
    }
  });
});
