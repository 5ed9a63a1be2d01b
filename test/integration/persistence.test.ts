// Finding and mounting persistence stores on fixture images and on loop devices made from them, both layouts.
import { execa } from 'execa';
import { open, mkdtemp, readdir, rm, stat, writeFile, readFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPersistence } from '../../src/main/core/persistence/find';
import { withMountedPersistence } from '../../src/main/core/persistence/mount';
import { KintsugiError } from '../../src/shared/errors';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import { buildFixtureImage, compressFixture, type FixtureImage } from '../helpers/fixture-image';
import { sha256OfFile } from '../helpers/fixture-release';
import { attachLoop, detachLoop } from '../helpers/loop';

let dir: string;
let gpt: FixtureImage;
let ventoy: FixtureImage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-persist-test-'));
  gpt = await buildFixtureImage(join(dir, 'gpt'));
  ventoy = await buildFixtureImage(join(dir, 'ventoy'), { layout: 'ventoy', persistenceLabel: 'casper-rw' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof KintsugiError ? `${err.code}: ${err.detail}` : `other: ${String(err)}`;
  }
}

/** Loop devices still attached to FILE: after any find/mount this must be empty. */
async function loopsOn(file: string): Promise<string> {
  return (await execa('losetup', ['-j', file])).stdout.trim();
}

describe('findPersistence', () => {
  it('finds the labelled partition in an image file, with its byte range', async () => {
    const s = await findPersistence(gpt.imagePath, { includeLoop: false });
    expect(s).toEqual({
      kind: 'partition',
      container: gpt.imagePath,
      label: 'persistence',
      fsType: 'ext4',
      partitionNumber: 2,
      offset: gpt.persistence.offset,
      size: gpt.persistence.size,
    });
  });

  it('finds it on a loop device only with the opt-in', async () => {
    const loop = await attachLoop(gpt.imagePath, { readOnly: true });
    try {
      expect(await failure(findPersistence(loop, { includeLoop: false }))).toMatch(/^DRIVE_LOOP_NOT_ALLOWED/);
      expect(await findPersistence(loop, { includeLoop: true })).toMatchObject({
        kind: 'partition',
        container: loop,
        partitionNumber: 2,
        offset: gpt.persistence.offset,
      });
    } finally {
      await detachLoop(loop);
    }
  });

  it.each(['casper-rw', 'writable'])('recognises the %s label', async (label) => {
    const f = await buildFixtureImage(join(dir, label), {
      persistenceLabel: label,
      populate: false,
      sizeMiB: 32,
    });
    expect(await findPersistence(f.imagePath, { includeLoop: false })).toMatchObject({
      kind: 'partition',
      label,
    });
  });

  it('finds a Ventoy persistence.dat in an image and on a loop device, leaving no loop behind', async () => {
    const expected = {
      kind: 'file',
      label: 'casper-rw',
      fsType: 'ext4',
      partitionNumber: 1,
      offset: ventoy.persistence.offset,
      size: 24 * 1024 * 1024,
      innerPath: 'persistence.dat',
    };
    expect(await findPersistence(ventoy.imagePath, { includeLoop: false })).toEqual({
      ...expected,
      container: ventoy.imagePath,
    });
    const loop = await attachLoop(ventoy.imagePath, { readOnly: true });
    try {
      expect(await findPersistence(loop, { includeLoop: true })).toEqual({ ...expected, container: loop });
    } finally {
      await detachLoop(loop);
    }
    expect(await loopsOn(ventoy.imagePath)).toBe('');
  });

  it('says what it saw when there is no store, and refuses compressed or missing containers', async () => {
    const plain = await buildFixtureImage(join(dir, 'plain'), {
      persistenceLabel: 'data',
      populate: false,
      sizeMiB: 32,
    });
    const msg = await failure(findPersistence(plain.imagePath, { includeLoop: false }));
    expect(msg).toMatch(/^PERSISTENCE_NOT_FOUND: /);
    expect(msg).toContain('partition 2: ext4 "data"');
    const zst = await compressFixture(plain.imagePath, 'zstd');
    expect(await failure(findPersistence(zst, { includeLoop: false }))).toMatch(
      /^PERSISTENCE_NOT_FOUND: .*zstd-compressed/,
    );
    expect(await failure(findPersistence(join(dir, 'missing.img'), { includeLoop: false }))).toMatch(
      /^PERSISTENCE_NOT_FOUND: .*does not exist/,
    );
    expect(await failure(findPersistence(dir, { includeLoop: false }))).toMatch(/^INVALID_ARGUMENT/);
  });

  it('an exFAT data partition this kernel cannot mount is named as such, not reported as "no persistence*.dat"', async () => {
    const ventoy = await buildFixtureImage(join(dir, 'exfat'), {
      layout: 'ventoy',
      ventoyDataFs: 'exfat',
      placeDat: false,
      sizeMiB: 64,
    });
    const msg = await failure(findPersistence(ventoy.imagePath, { includeLoop: false }));
    const kernelHasExfat = (await readFile('/proc/filesystems', 'utf8')).includes('exfat');
    if (kernelHasExfat) expect(msg).toMatch(/^PERSISTENCE_NOT_FOUND: .*partition 1: exfat/);
    else expect(msg).toMatch(/^MOUNT_FAILED: .*partition 1 \(exfat\): cannot be mounted here/);
    expect((await execa('losetup', ['-j', ventoy.imagePath])).stdout).toBe('');
  });
});

describe('withMountedPersistence', () => {
  it('mounts read-only for backup: same tree, writes refused, image bytes unchanged', async () => {
    const before = await sha256OfFile(gpt.imagePath);
    let seen = '';
    await withMountedPersistence(
      gpt.imagePath,
      { readOnly: true, includeLoop: false },
      async (mnt, store) => {
        seen = mnt;
        expect(store.kind).toBe('partition');
        expect(diffTrees(gpt.tree, await describeTree(mnt))).toEqual([]);
        await expect(writeFile(join(mnt, 'new.txt'), 'x')).rejects.toMatchObject({ code: 'EROFS' });
      },
    );
    await expect(access(seen)).rejects.toThrow();
    expect(await loopsOn(gpt.imagePath)).toBe('');
    expect(await sha256OfFile(gpt.imagePath)).toBe(before);
  });

  it('mounts a Ventoy .dat read-write on a loop device for restore; the change persists', async () => {
    const loop = await attachLoop(ventoy.imagePath);
    try {
      await withMountedPersistence(loop, { readOnly: false, includeLoop: true }, async (mnt, store) => {
        expect(store).toMatchObject({ kind: 'file', innerPath: 'persistence.dat' });
        expect(diffTrees(ventoy.tree, await describeTree(mnt))).toEqual([]);
        await writeFile(join(mnt, 'restored.txt'), 'restored');
      });
      await withMountedPersistence(loop, { readOnly: true, includeLoop: true }, async (mnt) => {
        expect(await readFile(join(mnt, 'restored.txt'), 'utf8')).toBe('restored');
      });
    } finally {
      await detachLoop(loop);
    }
    expect(await loopsOn(ventoy.imagePath)).toBe('');
    expect(await loopsOn(join(dir, 'ventoy'))).toBe('');
  });

  it('unmounts and detaches when fn throws, and passes the error through', async () => {
    let seen = '';
    const err = await failure(
      withMountedPersistence(ventoy.imagePath, { readOnly: true, includeLoop: false }, async (mnt) => {
        seen = mnt;
        throw new KintsugiError('BACKUP_FAILED', 'rsync died');
      }),
    );
    expect(err).toBe('BACKUP_FAILED: rsync died');
    await expect(access(seen)).rejects.toThrow();
    expect(await loopsOn(ventoy.imagePath)).toBe('');
    expect((await execa('findmnt', ['-rn', '-o', 'TARGET'])).stdout).not.toContain('kintsugi-persist-');
  });

  it('a store still in use when the job ends (a shell cd-ed into it) is detached lazily, never left mounted', async () => {
    let seen = '';
    let held: Awaited<ReturnType<typeof open>> | undefined;
    const tree = await withMountedPersistence(
      gpt.imagePath,
      { readOnly: true, includeLoop: false },
      async (mnt) => {
        seen = mnt;
        held = await open(
          join(
            mnt,
            (await readdir(mnt)).find((n) => n !== 'lost+found')!,
          ),
          'r',
        ); // stays open
        return 'read';
      },
    ).catch((e: unknown) => `failed: ${String((e as { detail?: string }).detail ?? e)}`);
    try {
      expect(tree).toBe('read');
      // Gone from the mount tree at once; the kernel lets go of it when the last file closes.
      expect((await execa('findmnt', ['-rn', '-o', 'TARGET'])).stdout).not.toContain(seen);
      await expect(access(seen)).rejects.toThrow();
    } finally {
      await held?.close();
    }
    for (let i = 0; i < 50 && (await loopsOn(gpt.imagePath)) !== ''; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await loopsOn(gpt.imagePath)).toBe('');
  });

  it('fails with MOUNT_FAILED on a damaged filesystem, leaving nothing attached', async () => {
    const f = await buildFixtureImage(join(dir, 'damaged'), { populate: false, sizeMiB: 32 });
    // Zero the block group descriptors but keep the superblock: blkid still sees the label, mount refuses.
    const fh = await open(f.imagePath, 'r+');
    await fh.write(Buffer.alloc(14 * 1024), 0, 14 * 1024, f.persistence.offset + 2048);
    await fh.close();
    expect((await findPersistence(f.imagePath, { includeLoop: false })).label).toBe('persistence');
    const msg = await failure(
      withMountedPersistence(f.imagePath, { readOnly: true, includeLoop: false }, async () => 1),
    );
    expect(msg).toMatch(/^MOUNT_FAILED: mount \/dev\/loop\d+ \(persistence partition of .*damaged/);
    expect(await loopsOn(f.imagePath)).toBe('');
    expect((await stat(f.imagePath)).size).toBe(32 * 1024 * 1024);
  });
});
