import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountedStoreUsage } from '../../src/main/core/persistence/mounted-store-usage';
import { readStoreUsage } from '../../src/main/core/persistence/store-usage';
import type { PartitionInfo } from '../../src/shared/model';
import { buildFixtureImage, type FixtureImage } from '../helpers/fixture-image';
import { withMountedLoop } from '../helpers/loop';

// The desktop app's main may not read the stick's device node, but the desktop mounts its partitions as the user:
// the store is then measured through those mounts. The partitions are really mounted here (offset loops over real
// fixture images); the partition list is a STAND-IN for lsblk's view of a desktop's partition nodes, which these
// machines (no udev) never create. The disk's name is one no machine has: nothing here opens it. The figures must be those read from the unmounted store's superblock.

const STICK = '/dev/kintsugi-test-stick';

let work: string;
let kintsugi: FixtureImage;
let ventoy: FixtureImage;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-mounted-usage-'));
  kintsugi = await buildFixtureImage(join(work, 'kintsugi'), { sizeMiB: 48 });
  ventoy = await buildFixtureImage(join(work, 'ventoy'), { sizeMiB: 64, layout: 'ventoy', datSizeMiB: 32 });
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** lsblk's view of a partition of the stick as a desktop shows it (stand-in: see above). */
const lsblkPartition = (n: number, p: Partial<PartitionInfo>): PartitionInfo => ({
  path: `${STICK}${n}`,
  size: 0,
  mountpoints: [],
  holders: [],
  ...p,
});

describe('mountedStoreUsage', () => {
  it('a persistence partition the desktop mounted: what it uses, as its superblock says', async () => {
    const direct = await readStoreUsage(kintsugi.imagePath, { includeLoop: false });
    const p = kintsugi.persistence;
    const viaMount = await withMountedLoop(
      kintsugi.imagePath,
      { offset: p.offset, sizeLimit: p.size, readOnly: true },
      (dir) =>
        mountedStoreUsage(STICK, [
          lsblkPartition(1, { label: 'KINTSUGIBT', fsType: 'vfat', mountpoints: ['/nonexistent-boot'] }),
          lsblkPartition(2, { label: 'persistence', fsType: 'ext4', size: p.size, mountpoints: [dir] }),
        ]),
    );
    expect(viaMount?.store).toMatchObject({ kind: 'partition', partitionNumber: 2, label: 'persistence' });
    expect(viaMount?.usage.blockSize).toBe(direct.usage.blockSize);
    expect(viaMount?.usage.dataBytes).toBe(direct.usage.dataBytes);
  });

  it("a Ventoy data partition the desktop mounted: its persistence.dat's superblock", async () => {
    const direct = await readStoreUsage(ventoy.imagePath, { includeLoop: false });
    const p = ventoy.persistence;
    const viaMount = await withMountedLoop(
      ventoy.imagePath,
      { offset: p.offset, sizeLimit: p.size, readOnly: true },
      (dir) =>
        mountedStoreUsage(STICK, [
          lsblkPartition(1, { label: 'Ventoy', fsType: 'ext4', size: p.size, mountpoints: [dir] }),
        ]),
    );
    expect(viaMount).toMatchObject({
      store: { kind: 'file', innerPath: 'persistence.dat', partitionNumber: 1, size: 32 * 1024 * 1024 },
      usage: { dataBytes: direct.usage.dataBytes, usedInodes: direct.usage.usedInodes },
    });
  });

  it('nothing mounted, nothing to tell', async () => {
    expect(
      await mountedStoreUsage(STICK, [lsblkPartition(2, { label: 'persistence', fsType: 'ext4' })]),
    ).toBeUndefined();
  });
});
