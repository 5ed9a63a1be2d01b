import { describe, expect, it } from 'vitest';
import type { DriveInfo } from '../../src/shared/model';
import { assessDrive, isSelectable, type SafetyContext } from '../../src/main/core/drives/safety';
import { buildDriveViews } from '../../src/main/core/drives/views';

const usb: DriveInfo = {
  device: '/dev/sdb',
  description: 'USB stick',
  size: 32e9,
  isLoop: false,
  isSystem: false,
  isRemovable: true,
  isReadOnly: false,
  partitions: [
    { path: '/dev/sdb1', size: 1e9, mountpoints: [], holders: [] },
    {
      path: '/dev/sdb2',
      size: 31e9,
      mountpoints: [],
      holders: [{ path: '/dev/mapper/crypt', type: 'crypt', mountpoints: [] }],
    },
  ],
  mountpoints: [],
};
const ctx: SafetyContext = { bootDisks: ['/dev/vda'], includeLoop: false, imageSize: 8e9 };
const codes = (d: DriveInfo, c: Partial<SafetyContext> = {}) =>
  assessDrive(d, { ...ctx, ...c }).map((i) => `${i.severity}:${i.code}`);

describe('assessDrive', () => {
  it('passes a healthy removable drive', () => {
    expect(codes(usb)).toEqual([]);
    expect(isSelectable(assessDrive(usb, ctx))).toBe(true);
  });
  it('blocks a system drive', () => expect(codes({ ...usb, isSystem: true })).toEqual(['block:system']));
  it('does not call a loop device a system drive', () =>
    expect(codes({ ...usb, isSystem: true, isLoop: true }, { includeLoop: true })).toEqual([]));
  it('blocks the drive the system booted from even when it looks removable', () =>
    expect(codes(usb, { bootDisks: ['/dev/sdb'] })).toEqual(['block:boot']));
  it('blocks a drive smaller than the image, not one exactly its size', () => {
    expect(codes(usb, { imageSize: 32e9 + 1 })).toEqual(['block:too-small']);
    expect(codes(usb, { imageSize: 32e9 })).toEqual([]);
    expect(codes(usb, { imageSize: undefined })).toEqual([]);
  });
  it('blocks a read-only drive', () =>
    expect(codes({ ...usb, isReadOnly: true })).toEqual(['block:read-only']));
  it('blocks the drive holding the image: whole disk, partition or a mapping on it', () => {
    expect(codes(usb, { imageDevice: '/dev/sdb' })).toEqual(['block:holds-image']);
    expect(codes(usb, { imageDevice: '/dev/sdb2' })).toEqual(['block:holds-image']);
    expect(codes(usb, { imageDevice: '/dev/mapper/crypt' })).toEqual(['block:holds-image']);
    expect(codes(usb, { imageDevice: '/dev/sdc1' })).toEqual([]);
  });
  it('hides loop devices unless opted in', () => {
    const loop = { ...usb, device: '/dev/loop3', isLoop: true, isRemovable: false };
    expect(codes(loop)).toEqual(['block:loop-hidden']);
    expect(codes(loop, { includeLoop: true })).toEqual([]);
  });
  it('warns that a mounted drive will be unmounted, and it stays selectable', () => {
    const mounted = { ...usb, mountpoints: ['/media/user/persistence'] };
    const issues = assessDrive(mounted, ctx);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'mounted', severity: 'warn' });
    expect(issues[0]!.message).toContain('/media/user/persistence');
    expect(issues[0]!.message).toContain('will be unmounted');
    expect(isSelectable(issues)).toBe(true);
  });
  it('reports every blocking reason at once', () =>
    expect(
      codes({ ...usb, isSystem: true, isReadOnly: true }, { bootDisks: ['/dev/sdb'], imageSize: 1e12 }),
    ).toEqual(['block:system', 'block:boot', 'block:too-small', 'block:read-only']));
});

describe('buildDriveViews', () => {
  it('marks blocked drives unselectable', () => {
    const views = buildDriveViews([usb, { ...usb, device: '/dev/vda', isSystem: true }], ctx);
    expect(views.map((v) => [v.device, v.selectable])).toEqual([
      ['/dev/sdb', true],
      ['/dev/vda', false],
    ]);
  });
});
