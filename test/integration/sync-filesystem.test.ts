import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncFilesystem } from '../../src/main/core/util/sync-filesystem';
import { attachLoop, detachLoop, mountDevice, unmountDir } from '../helpers/loop';

// The real flush behind backup and restore, proven on a device: a file written to an ext4 filesystem on a loop
// device sits in the page cache (delayed allocation; the kernel's own writeback waits ~30 s), so its bytes are
// not yet in the image file behind the device. After syncFilesystem they must be.

let work: string;
let image: string;
let dev: string | undefined;
let mnt: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-syncfs-'));
  image = join(work, 'fs.img');
  const fh = await open(image, 'w');
  await fh.truncate(32 * 1024 * 1024);
  await fh.close();
  await execa('mkfs.ext4', ['-q', '-F', image]);
  dev = await attachLoop(image);
  mnt = await mountDevice(dev, { fsType: 'ext4' });
});

afterAll(async () => {
  if (mnt) await unmountDir(mnt);
  if (dev) await detachLoop(dev);
  await rm(work, { recursive: true, force: true });
});

describe('syncFilesystem', () => {
  it('puts data written under the directory onto the device', async () => {
    const marker = randomBytes(256 * 1024);
    await writeFile(join(mnt!, 'user-work.bin'), marker);
    const onDevice = async () => (await readFile(image)).includes(marker.subarray(0, 4096));
    // Without this the test could not fail: the bytes must not have reached the device by themselves.
    expect(await onDevice()).toBe(false);

    await syncFilesystem(mnt!);
    expect(await onDevice()).toBe(true);
  });

  it('fails for a directory that does not exist', async () => {
    await expect(syncFilesystem(join(work, 'missing'))).rejects.toThrow();
  });
});
