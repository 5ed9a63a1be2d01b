import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureImage, type FixtureImage } from '../helpers/fixture-image';
import { sha256OfFile } from '../helpers/fixture-release';
import { attachLoop, detachLoop, heldByTests } from '../helpers/loop';
import { assertCliBuilt, cliRunner } from '../helpers/cli';

// The built `kintsugi` decides "is it a drive?" by what the path is (stat), not by how it is spelled: a symlink
// to a loop device and /./dev/loopN are that loop device, asked about and written as /dev/loopN.

let dir: string;
const { cli, cliOnPty } = cliRunner(() => dir);
let fixture: FixtureImage;
let driveFile: string;
let drive: string;
let link: string;
let backup: string;

beforeAll(async () => {
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-cli-paths-'));
  fixture = await buildFixtureImage(join(dir, 'fx'), { sizeMiB: 32, populate: false });
  driveFile = join(dir, 'drive.img');
  await copyFile(fixture.imagePath, driveFile);
  drive = await attachLoop(driveFile);
  link = join(dir, 'stick');
  await symlink(drive, link);
  // A one-file backup, as `kintsugi backup` would leave it (the CLI runs as root and trusts its user).
  const id = 'kintsugi-backup-2026-03-03T00-00-00Z';
  backup = join(dir, 'backups', id);
  await mkdir(backup, { recursive: true });
  await writeFile(join(backup, 'notes.txt'), 'restored through a symlink\n');
  await writeFile(
    join(backup, 'kintsugi-backup.json'),
    JSON.stringify({
      formatVersion: 1,
      id,
      source: '/dev/loop-original',
      createdAt: '2026-03-03T00:00:00.000Z',
      finishedAt: '2026-03-03T00:00:01.000Z',
      files: 2,
      bytes: 27,
      verified: true,
      tools: {},
    }),
  );
});

afterAll(async () => {
  if (drive) await detachLoop(drive).catch(() => {});
  await rm(dir, { recursive: true, force: true });
  expect(heldByTests().loops).toEqual([]);
});

describe('kintsugi restore / backup: device paths', () => {
  it('asks before restoring into a symlink to a drive or /./dev/..., naming the real device', async () => {
    const before = await sha256OfFile(driveFile);
    for (const spelling of [link, `/.${drive}`]) {
      const r = await cli(['restore', backup, spelling, '--include-loop', '--json']);
      expect(JSON.parse(String(r.stdout))).toMatchObject({
        error: {
          code: 'CONFIRMATION_REQUIRED',
          detail: expect.stringContaining(`would erase ${drive}; stdin is not a terminal`),
        },
      });
    }
    expect(await sha256OfFile(driveFile)).toBe(before);

    const typed = await cliOnPty(['restore', backup, link, '--include-loop', '--json'], basename(drive));
    expect(String(typed.stdout)).toContain(`This will ERASE everything on ${drive}`);
    expect(String(typed.stdout)).toContain(`Type the device name (${basename(drive)})`);
    expect(typed.exitCode, String(typed.stdout)).toBe(0);
    const json = String(typed.stdout).slice(String(typed.stdout).indexOf('{'));
    expect(JSON.parse(json).result).toMatchObject({ target: drive, verified: true });
  });

  it('backs up a drive named through a symlink as the device itself', async () => {
    const dest = join(dir, 'dest');
    await mkdir(dest);
    const b = await cli(['backup', link, dest, '--include-loop', '--json']);
    expect(b.exitCode, String(b.stdout)).toBe(0);
    expect(JSON.parse(String(b.stdout)).result).toMatchObject({ source: drive, verified: true });
  });
});
