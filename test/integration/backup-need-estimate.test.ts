import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateNeed } from '../../src/main/core/backup/space';
import { estimateStoreNeed } from '../../src/main/core/backup/store-need';
import { withMountedPersistence } from '../../src/main/core/persistence/mount';
import { buildFixtureImage, type FixtureImage } from '../helpers/fixture-image';
import { attachLoop, detachLoop } from '../helpers/loop';

// "Needed" on the backup step, for both kinds of store the app backs up: a partition labelled persistence and a
// Ventoy persistence.dat in a data partition, on real fixture images and a real loop device. The figure is read
// from the store's superblock without mounting it, and must be what the backup's own room check asks for (the
// mounted tree measured in the destination's blocks, space.ts), never less, and not much more.

let work: string;
let kintsugi: FixtureImage;
let ventoy: FixtureImage;
let destRoot: string;
const MiB = 1024 * 1024;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-need-'));
  kintsugi = await buildFixtureImage(join(work, 'kintsugi'), { sizeMiB: 48 });
  ventoy = await buildFixtureImage(join(work, 'ventoy'), { sizeMiB: 64, layout: 'ventoy', datSizeMiB: 32 });
  destRoot = join(work, 'backups');
  await mkdir(destRoot);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** What the backup itself will require: its room check on the mounted store. */
const backupWillAsk = (source: string) =>
  withMountedPersistence(
    source,
    { readOnly: true, includeLoop: true },
    async (mnt) => (await estimateNeed(mnt, undefined, destRoot)).requiredBytes,
  );

describe('estimateStoreNeed', () => {
  it.each([
    ['partition', () => kintsugi, 'partition 2 "persistence"'],
    ['file', () => ventoy, 'persistence.dat on partition 1'],
  ] as const)(
    'a %s store: what the backup will ask for, before anything is mounted',
    async (kind, img, name) => {
      const need = await estimateStoreNeed({ source: img().imagePath, destRoot, includeLoop: false });
      if (!need.known) throw new Error(`unknown: ${need.reason}`);
      expect(need).toMatchObject({ storeKind: kind, storeName: name, destBlockAssumed: false });
      const asked = await backupWillAsk(img().imagePath);
      expect(need.neededBytes).toBeGreaterThanOrEqual(asked);
      expect(need.neededBytes).toBeLessThan(asked * 1.05 + MiB);
      // The fixture's tree is real data (MiBs), far below the store's size: not the size of the container.
      expect(need.neededBytes).toBeLessThan(need.storeSize);
      // Inodes: a hard-linked file is one, where the tree lists each of its names.
      expect(need.files).toBeGreaterThan(10);
      expect(need.files).toBeLessThanOrEqual(img().tree.length);
    },
  );

  it('a loop device (a drive as the app sees one) holding a .dat store', async () => {
    const device = await attachLoop(ventoy.imagePath);
    try {
      const need = await estimateStoreNeed({ source: device, includeLoop: true });
      expect(need).toMatchObject({ known: true, storeKind: 'file', destBlock: 4096, destBlockAssumed: true });
      // Loop devices are shown only with the opt-in; without it the answer says why there is no figure.
      const refused = await estimateStoreNeed({ source: device, includeLoop: false });
      expect(refused).toMatchObject({ known: false, reason: expect.stringContaining('is a loop device') });
    } finally {
      await detachLoop(device);
    }
  });

  it('says why when there is no store to measure', async () => {
    const bare = await buildFixtureImage(join(work, 'bare'), {
      sizeMiB: 48,
      layout: 'ventoy',
      placeDat: false,
    });
    const need = await estimateStoreNeed({ source: bare.imagePath, destRoot, includeLoop: false });
    expect(need).toMatchObject({
      known: false,
      reason: expect.stringContaining('no partition labelled persistence'),
    });
    const gone = await estimateStoreNeed({ source: join(work, 'unplugged.img'), includeLoop: false });
    expect(gone).toMatchObject({ known: false, reason: expect.stringContaining('still plugged in') });
  });
});
