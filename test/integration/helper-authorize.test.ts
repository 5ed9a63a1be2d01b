import { execa } from 'execa';
import {
  access,
  chmod,
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../src/main/core/jobs/context';
import { HelperClient } from '../../src/main/helper/client';
import type { JobRequest } from '../../src/shared/jobs';
import { buildFixtureImage, compressFixture, type FixtureImage } from '../helpers/fixture-image';
import { sha256OfFile } from '../helpers/fixture-release';
import { attachLoop, detachLoop, heldByTests, mountDevice, unmountDir } from '../helpers/loop';
import { handWrittenBackup } from '../helpers/hand-written-backup';

// The privilege boundary, end to end: the real helper bundle (out/main/helper.js) as its own process, once acting
// for root (started directly by a root parent) and once for uid 65534 (PKEXEC_UID, as pkexec sets it), sent the
// requests a hostile or confused caller could send, on loop devices and files this file creates. Each refusal
// also checks that nothing happened: no folder created, no byte of the drive changed, nothing mounted.

const HELPER = resolve('out/main/helper.js');
const NOBODY = 65534;
let dir: string;
let helperTmp: string; // the helpers' TMPDIR: every mountpoint they make is under it, and only theirs are
let fixture: FixtureImage;
let zst: string;
let driveFile: string;
let drive: string; // a loop device over a copy of the fixture: a Kintsugi drive with a persistence partition
let handWritten: string; // a "verified backup" a caller wrote by hand, owned by root in a root-owned folder
let asRoot: HelperClient;
let asNobody: HelperClient;
const loops: string[] = [];

type Failure = { code: string; detail?: string; hint?: string; message?: string };
/** The refusal, or (so the assertions after it still say what else happened) a marker that the job ran. */
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    return { code: 'NOT REFUSED: the job ran', detail: JSON.stringify(await p) };
  } catch (e) {
    return e as Failure;
  }
}
const run = (client: HelperClient, job: JobRequest) => client.run(job, quietContext());

/** Lines of /proc/self/mountinfo about the helpers' own mountpoints. */
const helperMounts = async () =>
  (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(helperTmp));

/** Samples the mount table while a job runs: a mount that comes and goes within the job is still seen. */
function watchMounts(): () => Promise<string[]> {
  const seen = new Set<string>();
  let stopped = false;
  const sampling = (async () => {
    while (!stopped) {
      for (const l of await helperMounts()) seen.add(l);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return async () => {
    stopped = true;
    await sampling;
    return [...seen];
  };
}

function startHelper(extraEnv: Record<string, string>): Promise<HelperClient> {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: helperTmp, ...extraEnv };
  if (!extraEnv.PKEXEC_UID) delete env.PKEXEC_UID;
  return HelperClient.start({ mode: 'direct', nodePath: process.execPath, helperPath: HELPER, env });
}

beforeAll(async () => {
  await access(HELPER).catch(() => {
    throw new Error(`${HELPER} is missing: run \`npx electron-vite build\` (npm test does) first`);
  });
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-helper-auth-'));
  helperTmp = join(dir, 'helper-tmp');
  await mkdir(helperTmp);
  fixture = await buildFixtureImage(join(dir, 'fx'), { name: 'k.img', sizeMiB: 32, populate: false });
  zst = await compressFixture(fixture.imagePath, 'zstd');
  await chmod(zst, 0o644);
  driveFile = join(dir, 'drive.img');
  await copyFile(fixture.imagePath, driveFile);
  drive = await attachLoop(driveFile);
  loops.push(drive);
  handWritten = await handWrittenBackup(join(dir, 'root-backups'), 'kintsugi-backup-2026-01-01T00-00-00Z');
  asRoot = await startHelper({});
  asNobody = await startHelper({ PKEXEC_UID: String(NOBODY) });
});

afterAll(async () => {
  await asRoot?.close();
  await asNobody?.close();
  for (const l of loops) await detachLoop(l).catch(() => {});
  await rm(dir, { recursive: true, force: true });
  expect(heldByTests()).toEqual({ loops: [], mounts: [] });
});

describe('privileged helper: per-job authorization', () => {
  it('refuses a restore into a directory, even from a "verified" backup, and creates nothing', async () => {
    const restoreInto = (target: string) =>
      failure(
        run(asRoot, { type: 'restore', params: { backupDir: handWritten, target, includeLoop: true } }),
      );
    // The report of issue 5: one line made root create a folder of the caller's choosing and fill it.
    const fresh = join(dir, 'chosen-by-caller');
    const f1 = await restoreInto(fresh);
    await expect(access(fresh)).rejects.toThrow(/ENOENT/);
    expect(f1).toMatchObject({ code: 'DRIVE_NOT_FOUND', detail: `${fresh} does not exist` });

    const existing = join(dir, 'existing-folder');
    await mkdir(existing);
    const f2 = await restoreInto(existing);
    expect(await readdir(existing)).toEqual([]);
    expect(f2).toMatchObject({
      code: 'DRIVE_NOT_WHOLE_DISK',
      detail: `restore target ${existing} is a directory: the privileged helper works on whole drives only`,
      hint: expect.stringContaining('sudo kintsugi'),
    });
  });

  it('refuses a backup whose source is a regular image file, and mounts nothing', async () => {
    const dest = join(dir, 'dest-for-image');
    await mkdir(dest);
    await symlink(fixture.imagePath, join(dir, 'image-link'));
    const before = await helperMounts();
    for (const source of [fixture.imagePath, join(dir, 'image-link')]) {
      const stop = watchMounts();
      const f = await failure(
        run(asRoot, { type: 'backup', params: { source, destRoot: dest, includeLoop: true } }),
      );
      expect(await stop()).toEqual([]);
      expect(f).toMatchObject({
        code: 'DRIVE_NOT_WHOLE_DISK',
        detail: `backup source ${source} is a regular file: the privileged helper works on whole drives only`,
      });
    }
    expect(await helperMounts()).toEqual(before);
    expect((await execa('losetup', ['-j', fixture.imagePath])).stdout).toBe('');
    expect(await readdir(dest)).toEqual([]);
  });

  it('refuses a restore whose backup folder has no verified manifest naming it; the drive is untouched', async () => {
    const before = await sha256OfFile(driveFile);
    const parent = join(dir, 'not-backups');
    const noManifest = join(parent, 'kintsugi-backup-2026-01-02T00-00-00Z');
    await mkdir(noManifest, { recursive: true });
    await writeFile(join(noManifest, 'planted'), 'x');
    const unverified = await handWrittenBackup(parent, 'kintsugi-backup-2026-01-03T00-00-00Z');
    const manifest = join(unverified, 'kintsugi-backup.json');
    await writeFile(
      manifest,
      (await readFile(manifest, 'utf8')).replace('"verified":true', '"verified":false'),
    );
    for (const [backupDir, why] of [
      [noManifest, 'no manifest naming this folder'],
      [unverified, 'never verified'],
      [parent, 'no manifest naming this folder'],
    ] as const) {
      expect(
        await failure(
          run(asRoot, { type: 'restore', params: { backupDir, target: drive, includeLoop: true } }),
        ),
      ).toMatchObject({
        code: 'BACKUP_NOT_FOUND',
        detail: `${backupDir} is not a verified Kintsugi backup (${why})`,
      });
    }
    expect(await sha256OfFile(driveFile)).toBe(before);
  });

  it('acts for PKEXEC_UID: refuses a backup into a folder that user does not own, a root-only backup, and not their own', async () => {
    const rootOwned = await mkdtemp(join(dir, 'root-dest-'));
    const stop = watchMounts();
    const f = await failure(
      run(asNobody, { type: 'backup', params: { source: drive, destRoot: rootOwned, includeLoop: true } }),
    );
    expect(await stop()).toEqual([]);
    expect(await readdir(rootOwned)).toEqual([]);
    expect(f).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: `backup destination ${rootOwned} belongs to uid 0, not to you (uid ${NOBODY})`,
    });
    // Root's backup, in root's folder, is not this user's to restore.
    expect(
      await failure(
        run(asNobody, {
          type: 'restore',
          params: { backupDir: handWritten, target: drive, includeLoop: true },
        }),
      ),
    ).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringContaining(`neither is you (uid ${NOBODY})`),
    });

    // The same user's own folder: the backup runs, and its folder (owned by the store's owner, root, as rsync
    // copies it) can be restored by that user: the reflash flow of a desktop user works.
    const own = await mkdtemp(join(dir, 'nobody-dest-'));
    await chown(own, NOBODY, NOBODY);
    const b = (await run(asNobody, {
      type: 'backup',
      params: { source: drive, destRoot: own, includeLoop: true },
    })) as {
      path: string;
      verified: boolean;
    };
    expect(b).toMatchObject({ verified: true, source: drive });
    expect(b.path.startsWith(own + '/')).toBe(true);
    const r = await run(asNobody, {
      type: 'restore',
      params: { backupDir: b.path, target: drive, includeLoop: true },
    });
    expect(r).toMatchObject({ verified: true, target: drive, backupDir: b.path });
  });

  it('refuses a backup into a folder on a mounted partition of the drive being backed up, before copying', async () => {
    // Without udev, the drive's boot partition is another loop device over the same file at the partition's offset.
    const part = await attachLoop(driveFile, { offset: fixture.boot.offset, sizeLimit: fixture.boot.size });
    loops.push(part);
    const mnt = await mountDevice(part);
    try {
      const dest = join(mnt, 'backups');
      await mkdir(dest);
      const stop = watchMounts();
      const f = await failure(
        run(asRoot, { type: 'backup', params: { source: drive, destRoot: dest, includeLoop: true } }),
      );
      expect(await stop()).toEqual([]);
      expect(await readdir(dest)).toEqual([]);
      expect(f).toMatchObject({
        code: 'INVALID_ARGUMENT',
        detail: `the backup folder ${dest} is stored on ${drive}, the drive being backed up: it will be erased when that drive is reflashed`,
      });
    } finally {
      await unmountDir(mnt);
      await detachLoop(part);
      loops.splice(loops.indexOf(part), 1);
    }
  });

  it('follows a symlink to the loop device and /./dev/loopN to /dev/loopN: same rules, same answers', async () => {
    const link = join(dir, 'harmless-looking');
    await symlink(drive, link);
    const spellings = [drive, `/.${drive}`, link];
    const answers = [];
    for (const path of spellings) {
      // Without the loop opt-in all three are the same loop device, refused the same way, word for word.
      answers.push(
        await failure(
          run(asRoot, { type: 'backup', params: { source: path, destRoot: dir, includeLoop: false } }),
        ),
        await failure(run(asRoot, { type: 'restore', params: { backupDir: handWritten, target: path } })),
      );
    }
    const plain = answers.map(({ code, message, detail, hint }) => ({ code, message, detail, hint }));
    expect(plain[0]).toMatchObject({ code: 'DRIVE_LOOP_NOT_ALLOWED', detail: `${drive} is a loop device` });
    expect(new Set(plain.map((a) => JSON.stringify(a))).size).toBe(1);
    // With it, what runs is the device itself: the backup records /dev/loopN, not the spelling it was sent.
    const dest = join(dir, 'via-link');
    await mkdir(dest);
    for (const path of [link, `/.${drive}`]) {
      const b = await run(asRoot, {
        type: 'backup',
        params: { source: path, destRoot: dest, includeLoop: true },
      });
      expect(b).toMatchObject({ source: drive, verified: true });
    }
  });

  it('refuses to flash an image only root can read when acting for another user; the drive is untouched', async () => {
    const target = join(dir, 'flash-target.img');
    await writeFile(target, Buffer.alloc(48 * 1024 * 1024, 0x5a));
    const dev = await attachLoop(target);
    loops.push(dev);
    const before = await sha256OfFile(target);
    const secret = join(dir, 'root-only.img.zst');
    await copyFile(zst, secret);
    await chmod(secret, 0o600);
    expect(
      await failure(
        run(asNobody, { type: 'flash', params: { image: secret, device: dev, includeLoop: true } }),
      ),
    ).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: `image ${secret} belongs to uid 0 with mode 0600: you (uid ${NOBODY}) could not read it yourself, so the helper will not read it for you`,
    });
    expect(await sha256OfFile(target)).toBe(before);
    // The same bytes, readable by everyone: flashed.
    await chmod(secret, 0o644);
    expect(
      await run(asNobody, { type: 'flash', params: { image: secret, device: dev, includeLoop: true } }),
    ).toMatchObject({ device: dev, verified: true });
  });
});
