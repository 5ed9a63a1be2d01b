import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../src/shared/progress';
import { inProcessExecutor } from '../../src/main/core/jobs/run-job';
import { findPersistence } from '../../src/main/core/persistence/find';
import { runReflash } from '../../src/main/core/reflash/run-reflash';
import { quietContext } from '../../src/main/core/jobs/context';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import {
  buildFixtureImage,
  compressFixture,
  writeSha256File,
  type FixtureImage,
} from '../helpers/fixture-image';
import { attachLoop, detachLoop, withMountedLoop } from '../helpers/loop';

// The headless wizard on a real loop device: the "old drive" is a populated fixture, the "new image" a fresh
// fixture with an empty persistence store, compressed with zstd and published with a .sha256. After runReflash
// the drive must carry the new image's boot partition and the OLD persistence data, byte for byte in metadata.

let dir: string;
let oldDrive: FixtureImage;
let newImage: FixtureImage;
let zst: string;
let sha: string;
const loops: string[] = [];

const sha256 = async (file: string, len?: number) => {
  const buf = await readFile(file);
  return createHash('sha256')
    .update(len === undefined ? buf : buf.subarray(0, len))
    .digest('hex');
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-reflash-'));
  oldDrive = await buildFixtureImage(join(dir, 'old'), { name: 'drive.img', sizeMiB: 64 });
  newImage = await buildFixtureImage(join(dir, 'new'), {
    name: 'kintsugi-v2.img',
    sizeMiB: 48,
    populate: false,
  });
  zst = await compressFixture(newImage.imagePath, 'zstd');
  sha = await writeSha256File([zst], join(dir, 'new', 'SHA256SUMS'));
});

afterAll(async () => {
  for (const l of loops) await detachLoop(l).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function persistenceTree(drive: string) {
  const store = await findPersistence(drive, { includeLoop: true });
  expect(store.kind).toBe('partition');
  return withMountedLoop(drive, { offset: store.offset!, sizeLimit: store.size, readOnly: true }, (mnt) =>
    describeTree(mnt),
  );
}

describe('runReflash on a loop device', () => {
  it('backs up, flashes the new image, restores the old persistence data, and reports it', async () => {
    const dev = await attachLoop(oldDrive.imagePath);
    loops.push(dev);
    const backups = join(dir, 'backups');
    await mkdir(backups);
    const steps: string[] = [];
    const ctx = { ...quietContext(), progress: (p: Progress) => p.kind === 'step' && steps.push(p.step) };
    const s = await runReflash(
      { image: zst, sha256File: sha, device: dev, backupTo: backups, includeLoop: true },
      ctx,
      inProcessExecutor(),
    );
    expect(steps).toEqual(['image', 'drive', 'backup', 'flash', 'restore', 'done']);
    expect(s.backup?.verified).toBe(true);
    expect(s.flash.verified).toBe(true);
    expect(s.restore?.verified).toBe(true);
    expect(s.hashes.published).toMatchObject({ target: 'compressed', value: await sha256(zst) });
    expect(s.bytes.written).toBeGreaterThan(0);
    expect((await readdir(backups)).filter((n) => !n.startsWith('.'))).toContain(
      s.backup!.path.split('/').pop(),
    );

    // The drive now starts with the NEW image (partition table and boot partition)...
    const bootEnd = newImage.boot.offset + newImage.boot.size;
    expect(await sha256(oldDrive.imagePath, bootEnd)).toBe(await sha256(newImage.imagePath, bootEnd));
    // ...and its persistence store holds the OLD data with owners, modes, links, xattrs and ACLs intact.
    const tree = await persistenceTree(dev);
    expect(diffTrees(oldDrive.tree, tree)).toEqual([]);
  });

  it('refuses a wrong checksum before any backup, and the drive stays untouched', async () => {
    const victim = await buildFixtureImage(join(dir, 'victim'), {
      name: 'drive.img',
      sizeMiB: 32,
      populate: false,
    });
    const dev = await attachLoop(victim.imagePath);
    loops.push(dev);
    const before = await sha256(victim.imagePath);
    const badSha = join(dir, 'bad.sha256');
    await writeFile(badSha, `${'0'.repeat(64)}  kintsugi-v2.img.zst\n`);
    const backups = join(dir, 'backups-2');
    await mkdir(backups);
    await expect(
      runReflash(
        { image: zst, sha256File: badSha, device: dev, backupTo: backups, includeLoop: true },
        quietContext(),
        inProcessExecutor(),
      ),
    ).rejects.toMatchObject({ code: 'IMAGE_CHECKSUM_MISMATCH' });
    expect(await readdir(backups)).toEqual([]);
    expect(await sha256(victim.imagePath)).toBe(before);
  });

  it('a drive without a persistence store fails the backup: flash never starts', async () => {
    const blank = join(dir, 'blank.img');
    await writeFile(blank, Buffer.alloc(64 * 1024 * 1024, 0x5a));
    const dev = await attachLoop(blank);
    loops.push(dev);
    const before = await sha256(blank);
    const backups = join(dir, 'backups-3');
    await mkdir(backups);
    await expect(
      runReflash(
        { image: zst, device: dev, backupTo: backups, includeLoop: true },
        quietContext(),
        inProcessExecutor(),
      ),
    ).rejects.toMatchObject({ code: expect.stringMatching(/PERSISTENCE_NOT_FOUND|INVALID_ARGUMENT/) });
    expect(await sha256(blank)).toBe(before);
  });
});
