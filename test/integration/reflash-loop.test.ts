import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreOutcome } from '../../src/shared/reflash/outcome';
import { createServices } from '../../src/main/core/services';
import { findPersistence } from '../../src/main/core/persistence/find';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import {
  buildFixtureImage,
  compressFixture,
  writeSha256File,
  type FixtureImage,
} from '../helpers/fixture-image';
import { attachLoop, detachLoop, withMountedLoop } from '../helpers/loop';
import { assertCliBuilt, CLI } from '../helpers/cli';

// The reflash flow on real loop devices with real jobs (rsync, zstd, O_DIRECT writes, mounts): in-process through
// main's services, and through the built `kintsugi` (out/main/cli.js), which runs the same flow as a pipeline.
// The "old drive" is a populated fixture, the "new image" a fresh fixture with an empty persistence store.

let dir: string;
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
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-reflash-'));
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

async function oldDrive(name: string): Promise<{ fixture: FixtureImage; dev: string }> {
  const fixture = await buildFixtureImage(join(dir, name), { name: 'drive.img', sizeMiB: 64 });
  const dev = await attachLoop(fixture.imagePath);
  loops.push(dev);
  return { fixture, dev };
}

async function persistenceTree(drive: string) {
  const store = await findPersistence(drive, { includeLoop: true });
  return withMountedLoop(drive, { offset: store.offset!, sizeLimit: store.size, readOnly: true }, (mnt) =>
    describeTree(mnt),
  );
}

const backupsIn = async (folder: string) =>
  (await readdir(folder)).filter((n) => n.startsWith('kintsugi-backup-'));

describe('reflash flow on a loop device (in-process, as main runs it)', () => {
  it('backs up, flashes the new image, restores the old persistence data', async () => {
    const { fixture, dev } = await oldDrive('a');
    const backups = join(dir, 'backups-a');
    await mkdir(backups);
    const s = createServices({ stateDir: join(dir, 'state-a'), settingsDefaults: { includeLoop: true } });
    const { flow } = s;
    await flow.settled((await flow.chooseImage({ source: zst, sha256File: sha })).jobId);
    // Chosen through a link to it (as /dev/disk/by-id/... would be): main keeps the real device, /dev/loopN.
    const link = join(dir, 'by-id-usb-stick');
    await symlink(dev, link);
    expect((await flow.chooseDrive({ device: link })).device).toBe(dev);
    await flow.settled((await flow.startBackup({ backupDir: backups })).jobId);
    await flow.settled((await flow.startFlash({ typed: dev.replace('/dev/', '') })).jobId);
    const done = await flow.settled((await flow.startRestore({})).jobId);
    expect(done.step).toBe('done');
    expect(restoreOutcome(done)).toMatchObject({ kind: 'restored' });
    // The drive starts with the NEW image and its persistence store holds the OLD data, metadata intact.
    const bootEnd = newImage.boot.offset + newImage.boot.size;
    expect(await sha256(fixture.imagePath, bootEnd)).toBe(await sha256(newImage.imagePath, bootEnd));
    expect(diffTrees(fixture.tree, await persistenceTree(dev))).toEqual([]);
    // Every job left a record and a log.
    const records = await s.journal.list();
    expect(records.map((r) => r.type).sort()).toEqual(['backup', 'flash', 'image-check', 'restore']);
    expect(records.every((r) => r.state === 'done' && r.flow === 'reflash')).toBe(true);
    await s.close();
  });

  it('refuses a backup folder on a mounted partition of the drive being reflashed, before anything starts', async () => {
    const { fixture, dev } = await oldDrive('b');
    const s = createServices({ stateDir: join(dir, 'state-b'), settingsDefaults: { includeLoop: true } });
    await s.flow.settled((await s.flow.chooseImage({ source: zst })).jobId);
    await s.flow.chooseDrive({ device: dev });
    // Mount the drive's boot partition the way a desktop would (here: an offset loop over the same file).
    await withMountedLoop(
      fixture.imagePath,
      { offset: fixture.boot.offset, sizeLimit: fixture.boot.size },
      async (mnt) => {
        const onDrive = join(mnt, 'my-backups');
        await mkdir(onDrive);
        await expect(s.flow.startBackup({ backupDir: onDrive })).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
          detail: expect.stringMatching(/will be erased/),
        });
        expect(await readdir(onDrive)).toEqual([]);
      },
    );
    expect((await s.journal.list()).map((r) => r.type)).toEqual(['image-check']);
    await s.close();
  });

  it('a drive without a persistence store fails the backup: flash stays locked, the drive untouched', async () => {
    const blank = join(dir, 'blank.img');
    await writeFile(blank, Buffer.alloc(64 * 1024 * 1024, 0x5a));
    const dev = await attachLoop(blank);
    loops.push(dev);
    const before = await sha256(blank);
    const backups = join(dir, 'backups-c');
    await mkdir(backups);
    const s = createServices({ stateDir: join(dir, 'state-c'), settingsDefaults: { includeLoop: true } });
    await s.flow.settled((await s.flow.chooseImage({ source: zst })).jobId);
    await s.flow.chooseDrive({ device: dev });
    const { jobId } = await s.flow.startBackup({ backupDir: backups });
    await s.flow.settled(jobId);
    expect((await s.journal.read(jobId))?.error?.code).toMatch(/PERSISTENCE_NOT_FOUND|INVALID_ARGUMENT/);
    await expect(s.flow.startFlash({ typed: dev })).rejects.toMatchObject({ code: 'FLOW_GATE' });
    expect(await sha256(blank)).toBe(before);
    await s.close();
  });
});

describe('kintsugi reflash (the built CLI, the same flow as a pipeline)', () => {
  // One state folder per scenario: each starts from no saved flow.
  const env = (name: string) => ({ XDG_STATE_HOME: join(dir, `cli-state-${name}`) });
  const reflashArgs = (dev: string, backups: string) => [
    CLI,
    'reflash',
    '--image',
    zst,
    '--sha256',
    sha,
    '--drive',
    dev,
    '--backup-to',
    backups,
    '--yes',
    '--include-loop',
    '--json',
    '--progress',
  ];

  // Where the first run dies (SIGKILL the moment that job starts), what the rerun must do, and how many backups
  // exist afterwards. Once the flash has started the drive counts as written: never backed up again.
  const killPoints = [
    { job: 'image-check', resumed: [], ran: ['image', 'drive', 'backup', 'flash', 'restore'], backups: 1 },
    // The killed backup leaves an .incomplete folder (never listed, never deleted); the rerun takes a new one.
    { job: 'backup', resumed: ['image', 'drive'], ran: ['backup', 'flash', 'restore'], backups: 1 },
    { job: 'flash', resumed: ['image', 'drive', 'backup'], ran: ['flash', 'restore'], backups: 1 },
    { job: 'restore', resumed: ['image', 'drive', 'backup', 'flash'], ran: ['restore'], backups: 1 },
  ] as const;

  it.each(killPoints)(
    'killed when $job starts, a rerun of the same command resumes; the data restored is the first backup',
    async ({ job, resumed, ran, backups: count }) => {
      const { fixture, dev } = await oldDrive(`k-${job}`);
      const backups = join(dir, `backups-k-${job}`);
      await mkdir(backups);
      const first = execa(process.execPath, reflashArgs(dev, backups), {
        reject: false,
        env: env(job),
        buffer: false,
      });
      let killed = false;
      let seen = '';
      first.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (!killed && seen.includes(`"jobType":"${job}","type":"started"`)) {
          killed = true;
          first.kill('SIGKILL');
        }
      });
      const r1 = await first;
      expect(killed, seen.slice(-2000)).toBe(true);
      expect(r1.signal).toBe('SIGKILL');

      // The journal shows the job the kill interrupted, with its log.
      const list = await execa(process.execPath, [CLI, 'jobs', 'list', '--json'], { env: env(job) });
      const records = JSON.parse(list.stdout).result as { type: string; state: string; id: string }[];
      const killedJob = records.find((r) => r.type === job)!;
      expect(killedJob.state).toBe('interrupted');
      const log = await execa(process.execPath, [CLI, 'jobs', 'log', killedJob.id], { env: env(job) });
      expect(log.stdout).toMatch(/Started /);

      // Second run, same command.
      const r2 = await execa(process.execPath, reflashArgs(dev, backups), { reject: false, env: env(job) });
      expect(r2.exitCode, r2.stderr + r2.stdout.slice(-2000)).toBe(0);
      const result = JSON.parse(r2.stdout.trim().split('\n').at(-1)!).result;
      expect(result.resumed).toEqual(resumed);
      expect(result.ran).toEqual(ran);
      const taken = await backupsIn(backups);
      expect(taken.filter((n) => !n.endsWith('.incomplete'))).toHaveLength(count);
      expect(result.state.restore).toMatchObject({
        verified: true,
        backupDir: join(
          backups,
          taken.find((n) => !n.endsWith('.incomplete'))!,
        ),
      });
      expect(diffTrees(fixture.tree, await persistenceTree(dev))).toEqual([]);
    },
  );
});
