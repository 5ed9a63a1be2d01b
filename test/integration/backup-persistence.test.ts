import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { quietContext } from '../../src/main/core/jobs/context';
import { runBackup } from '../../src/main/core/backup/backup';
import { runRestore } from '../../src/main/core/backup/restore';
import { INDEX_NAME, MANIFEST_NAME } from '../../src/main/core/backup/manifest';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import { buildFixtureImage, type FixtureImage } from '../helpers/fixture-image';
import { attachLoop, detachLoop, withMountedLoop } from '../helpers/loop';

// Back up the persistence store of real images (GPT partition labelled "persistence"; Ventoy persistence.dat)
// through core/persistence (read-only), restore it into the empty store of a "freshly flashed" image
// (read-write) and compare the trees. Also: a loop device as the source, and an image without a store.

let work: string;
let full: FixtureImage;

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function storeTree(img: FixtureImage): Promise<ReturnType<typeof describeTree>> {
  const p = img.persistence;
  if (p.kind === 'partition')
    return withMountedLoop(img.imagePath, { offset: p.offset, sizeLimit: p.size, readOnly: true }, (dir) =>
      describeTree(dir),
    );
  return withMountedLoop(img.imagePath, { offset: p.offset, sizeLimit: p.size, readOnly: true }, (dataDir) =>
    withMountedLoop(join(dataDir, p.innerPath!), { readOnly: true }, (dir) => describeTree(dir)),
  );
}

async function loopsHeldBy(file: string): Promise<string> {
  return (await execa('losetup', ['-j', file])).stdout.trim();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-backup-persist-'));
  full = await buildFixtureImage(join(work, 'full'), { sizeMiB: 48 });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('persistence image -> backup -> fresh image', () => {
  it('GPT partition: backs up read-only, records the container, restores faithfully into a fresh image', async () => {
    const fresh = await buildFixtureImage(join(work, 'fresh'), { sizeMiB: 48, populate: false });
    const destRoot = join(work, 'backups');
    await mkdir(destRoot);
    const before = await sha256(full.imagePath);

    const backup = await runBackup({ source: full.imagePath, destRoot, includeLoop: false }, quietContext());
    expect(backup.verified).toBe(true);
    expect(backup.source).toBe(full.imagePath);
    expect(backup.sourceDescription).toBe(`persistence partition 2 (label persistence) on ${full.imagePath}`);
    expect(await sha256(full.imagePath)).toBe(before); // read-only: the source image is byte-for-byte unchanged
    expect(await loopsHeldBy(full.imagePath)).toBe(''); // mount and loop released
    expect(
      diffTrees(full.tree, await describeTree(backup.path, { exclude: [MANIFEST_NAME, INDEX_NAME] })),
    ).toEqual([]);

    const restored = await runRestore(
      { backupDir: backup.path, target: fresh.imagePath, includeLoop: false },
      quietContext(),
    );
    expect(restored).toMatchObject({ verified: true, target: fresh.imagePath, files: backup.files });
    expect(await loopsHeldBy(fresh.imagePath)).toBe('');
    expect(diffTrees(full.tree, await storeTree(fresh))).toEqual([]);
  });

  it('Ventoy persistence.dat: the same round trip through the file store', async () => {
    const ventoy = await buildFixtureImage(join(work, 'ventoy'), { sizeMiB: 48, layout: 'ventoy' });
    const ventoyFresh = await buildFixtureImage(join(work, 'ventoy-fresh'), {
      sizeMiB: 48,
      layout: 'ventoy',
      populate: false,
    });
    const destRoot = join(work, 'backups-ventoy');
    await mkdir(destRoot);
    const backup = await runBackup(
      { source: ventoy.imagePath, destRoot, includeLoop: false },
      quietContext(),
    );
    expect(backup.sourceDescription).toBe(`persistence file persistence.dat on ${ventoy.imagePath}`);
    expect(
      diffTrees(ventoy.tree, await describeTree(backup.path, { exclude: [MANIFEST_NAME, INDEX_NAME] })),
    ).toEqual([]);
    await runRestore(
      { backupDir: backup.path, target: ventoyFresh.imagePath, includeLoop: false },
      quietContext(),
    );
    expect(diffTrees(ventoy.tree, await storeTree(ventoyFresh))).toEqual([]);
  });

  it('a loop device as the source needs the opt-in, then backs up like a drive', async () => {
    const dev = await attachLoop(full.imagePath, { readOnly: true });
    const destRoot = join(work, 'backups-loop');
    await mkdir(destRoot);
    try {
      const err = await runBackup({ source: dev, destRoot, includeLoop: false }, quietContext()).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KintsugiError);
      expect((err as KintsugiError).code).toBe('DRIVE_LOOP_NOT_ALLOWED');
      expect(await readdir(destRoot)).toEqual([]);

      const backup = await runBackup({ source: dev, destRoot, includeLoop: true }, quietContext());
      expect(backup.source).toBe(dev);
      expect(
        diffTrees(full.tree, await describeTree(backup.path, { exclude: [MANIFEST_NAME, INDEX_NAME] })),
      ).toEqual([]);
    } finally {
      await detachLoop(dev);
    }
  });

  it('refuses a destination stored on the drive being backed up, before anything is copied or mounted', async () => {
    // The drive's boot partition mounted the way a desktop would (here: an offset loop into the same image), and
    // the backup folder inside it: the drive's next reflash would erase the backup with it.
    const dev = await attachLoop(full.imagePath, { readOnly: true });
    try {
      await withMountedLoop(
        full.imagePath,
        { offset: full.boot.offset, sizeLimit: full.boot.size },
        async (mnt, bootLoop) => {
          const onDrive = join(mnt, 'my-backups');
          await mkdir(onDrive);
          const err = await runBackup(
            { source: dev, destRoot: onDrive, includeLoop: true },
            quietContext(),
          ).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(KintsugiError);
          expect((err as KintsugiError).code).toBe('INVALID_ARGUMENT');
          expect((err as KintsugiError).detail).toMatch(
            /stored on \/dev\/loop\d+, the drive being backed up/,
          );
          expect(await readdir(onDrive)).toEqual([]);
          // Nothing was mounted: the image is held by our two loops only.
          const held = (await loopsHeldBy(full.imagePath)).split('\n').map((l) => l.split(':')[0]);
          expect(held.sort()).toEqual([dev, bootLoop].sort());
        },
      );
    } finally {
      await detachLoop(dev);
    }
  });

  it('a persistence partition the desktop already mounted is read where it is, never mounted a second time', async () => {
    const drive = await buildFixtureImage(join(work, 'automounted'), { sizeMiB: 48 });
    const dev = await attachLoop(drive.imagePath);
    const p = drive.persistence;
    const destRoot = join(work, 'backups-automounted');
    await mkdir(destRoot);
    try {
      // The "desktop" mounts the stick's persistence partition read-write and the user saves a file on it.
      await withMountedLoop(
        drive.imagePath,
        { offset: p.offset, sizeLimit: p.size },
        async (desktopMount) => {
          await writeFile(join(desktopMount, 'saved-just-now.txt'), 'not on disk yet, only in this mount\n');
          let mountsDuringCopy: string[] = [];
          const r = await runBackup({ source: dev, destRoot, includeLoop: true }, quietContext(), {
            afterCopy: async () => {
              mountsDuringCopy = (await readFile('/proc/self/mountinfo', 'utf8'))
                .split('\n')
                .filter((l) => l.includes('kintsugi-persist-'));
            },
          });
          expect(r.verified).toBe(true);
          expect(mountsDuringCopy).toEqual([]); // no second mount of the live filesystem
          expect(await readFile(join(r.path, 'saved-just-now.txt'), 'utf8')).toMatch(/only in this mount/);
          // Left as the desktop had it: still mounted, still writable.
          await writeFile(join(desktopMount, 'after.txt'), 'x');
        },
      );
      // A restore into a store open read-only is refused with where it is open, and writes nothing.
      await withMountedLoop(
        drive.imagePath,
        { offset: p.offset, sizeLimit: p.size, readOnly: true },
        async (roMount) => {
          const [backup] = await readdir(destRoot);
          await expect(
            runRestore(
              { backupDir: join(destRoot, backup!), target: dev, includeLoop: true },
              quietContext(),
            ),
          ).rejects.toMatchObject({
            code: 'MOUNT_FAILED',
            detail: expect.stringContaining(`open read-only at ${roMount}`),
          });
        },
      );
    } finally {
      await detachLoop(dev);
    }
  });

  it('an image without a persistence store: PERSISTENCE_NOT_FOUND, nothing written', async () => {
    const bare = await buildFixtureImage(join(work, 'bare'), {
      sizeMiB: 32,
      persistenceLabel: 'something-else',
      populate: false,
    });
    const destRoot = join(work, 'backups-bare');
    await mkdir(destRoot);
    const err = await runBackup(
      { source: bare.imagePath, destRoot, includeLoop: false },
      quietContext(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KintsugiError);
    expect((err as KintsugiError).code).toBe('PERSISTENCE_NOT_FOUND');
    expect(await readdir(destRoot)).toEqual([]);
  });
});
