import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../src/main/core/jobs/context';
import { runBackup } from '../../src/main/core/backup/backup';
import { runRestore } from '../../src/main/core/backup/restore';
import { MANIFEST_NAME } from '../../src/main/core/backup/manifest';
import type { MountPersistence } from '../../src/main/core/backup/source';
import type { PersistenceStoreInfo } from '../../src/shared/model';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import { buildFixtureImage, type FixtureImage } from '../helpers/fixture-image';
import { heldByTests, withMountedLoop } from '../helpers/loop';

// Back up the persistence partition of a real GPT image (ext4 on an offset loop device, read-only), then
// restore it into the empty persistence of a second, "freshly flashed" image (read-write) and compare.

let work: string;
let full: FixtureImage;
let fresh: FixtureImage;

/** Mounts the fixture's persistence partition through an offset loop: what core/persistence does on a drive. */
function mountFor(images: FixtureImage[]): MountPersistence {
  return async (container, opts, fn) => {
    const img = images.find((i) => i.imagePath === container);
    if (!img) throw new Error(`unexpected container ${container}`);
    const p = img.persistence;
    const store: PersistenceStoreInfo = {
      kind: 'partition',
      container,
      label: p.label,
      fsType: 'ext4',
      partitionNumber: p.partitionNumber,
      offset: p.offset,
      size: p.size,
    };
    return withMountedLoop(container, { offset: p.offset, sizeLimit: p.size, readOnly: opts.readOnly }, (dir) => fn(dir, store));
  };
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-backup-persist-'));
  full = await buildFixtureImage(join(work, 'full'), { sizeMiB: 48 });
  fresh = await buildFixtureImage(join(work, 'fresh'), { sizeMiB: 48, populate: false });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('persistence image -> backup -> fresh image', () => {
  it('backs up the store read-only, records the container, restores it faithfully into a fresh image', async () => {
    const mount = mountFor([full, fresh]);
    const destRoot = join(work, 'backups');
    await mkdir(destRoot);
    const before = await sha256(full.imagePath);

    const backup = await runBackup({ source: full.imagePath, destRoot, includeLoop: true }, quietContext(), { mount });
    expect(backup.verified).toBe(true);
    expect(backup.source).toBe(full.imagePath);
    expect(backup.sourceDescription).toBe(`persistence partition 2 (label persistence) on ${full.imagePath}`);
    expect(await sha256(full.imagePath)).toBe(before); // read-only: the source image is byte-for-byte unchanged
    expect(diffTrees(full.tree, await describeTree(backup.path, { exclude: [MANIFEST_NAME] }))).toEqual([]);

    const restored = await runRestore({ backupDir: backup.path, target: fresh.imagePath, includeLoop: true }, quietContext(), { mount });
    expect(restored).toMatchObject({ verified: true, target: fresh.imagePath, files: backup.files });
    const after = await withMountedLoop(
      fresh.imagePath,
      { offset: fresh.persistence.offset, sizeLimit: fresh.persistence.size, readOnly: true },
      (dir) => describeTree(dir),
    );
    expect(diffTrees(full.tree, after)).toEqual([]);
    expect(heldByTests()).toEqual({ loops: [], mounts: [] });
  });
});
