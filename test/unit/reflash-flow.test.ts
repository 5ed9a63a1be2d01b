import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { DriveInfo } from '../../src/shared/model';
import { reflashContract } from '../../src/shared/reflash/contract';
import { restoreOutcome } from '../../src/shared/reflash/outcome';
import { JobJournal } from '../../src/main/core/jobs/journal';
import { JobRunner } from '../../src/main/core/jobs/job-runner';
import { ReflashFlow } from '../../src/main/core/reflash/flow';
import { WrittenDrivesLedger } from '../../src/main/core/reflash/ledger';
import { ReflashStore } from '../../src/main/core/reflash/store';
import { fakeJobs, type FakeJobs } from '../helpers/fake-jobs';

// Main's reflash flow with its real store, ledger, journal and job runner, and a stand-in executor (fake-jobs.ts)
// so the gates can be driven through every order a renderer could ask for without touching a drive. The safety
// check of a drive is a stand-in too: '/dev/link-to-loop9' resolves to '/dev/loop9' as a symlink would.

let dir: string;
let jobs: FakeJobs;
let onDrive: Set<string>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-flow-'));
  jobs = fakeJobs();
  onDrive = new Set();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeFlow() {
  const runner = new JobRunner({ journal: new JobJournal(join(dir, 'jobs')) });
  const flow = new ReflashFlow({
    store: new ReflashStore(join(dir, 'reflash.json')),
    ledger: new WrittenDrivesLedger(join(dir, 'written.json')),
    runner,
    executor: jobs,
    settings: async () => ({ includeLoop: true }),
    checkDrive: async (device) => {
      const canonical = device === '/dev/link-to-loop9' ? '/dev/loop9' : device;
      if (canonical === '/dev/vda')
        throw new KintsugiError('DRIVE_IS_SYSTEM', `${device} is a system drive.`);
      return { device: canonical, size: 4096 } as DriveInfo;
    },
    pathOnDrive: async (path) => onDrive.has(path),
    driveKey: async (device) => `key:${device}`,
  });
  return { flow, runner };
}

const backups = () => join(dir, 'backups');
const gateError = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'FLOW_GATE' });
/** Refused for want of the typed device name: the page asks for it (CONFIRMATION_REQUIRED). */
const unconfirmed = (p: Promise<unknown>) =>
  expect(p).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });

async function toFlashStep(flow: ReflashFlow) {
  await flow.settled((await flow.chooseImage({ source: '/images/kintsugi-v2.img.zst' })).jobId);
  await flow.chooseDrive({ device: '/dev/link-to-loop9' });
  return flow.settled((await flow.startBackup({ backupDir: backups() })).jobId);
}

/** A verified backup in the backups folder, after `sinceFull` incremental ones (only its manifest: the flow reads no more). */
async function backupAfterIncrementals(sinceFull: number): Promise<void> {
  const id = `kintsugi-backup-2026-11-2${sinceFull % 10}T10-00-00Z`;
  await mkdir(join(backups(), id), { recursive: true });
  const count = {
    hashedFiles: 1,
    hashedBytes: 1,
    inheritedFiles: 0,
    inheritedBytes: 0,
    newBytes: 1,
    linkedBytes: 0,
  };
  const manifest = {
    formatVersion: 2,
    id,
    source: '/dev/loop9',
    createdAt: `2026-11-2${sinceFull % 10}T10:00:00.000Z`,
    finishedAt: `2026-11-2${sinceFull % 10}T10:00:01.000Z`,
    files: 1,
    bytes: 1,
    verified: true,
    tools: {},
    index: { name: 'kintsugi-backup.files.ndjson', sha256: 'a'.repeat(64), entries: 1, bytes: 100 },
    verify: { mode: sinceFull ? 'incremental' : 'full', ...count, sinceFull },
  };
  await writeFile(join(backups(), id, 'kintsugi-backup.json'), JSON.stringify(manifest));
}

describe('the every-Nth full verify', () => {
  it('the backup before a reflash reads every file when the 10th is due, not before', async () => {
    await backupAfterIncrementals(8);
    const { flow } = makeFlow();
    await toFlashStep(flow);
    const first = jobs.requests.find((r) => r.type === 'backup');
    expect(first?.params).not.toHaveProperty('fullVerify');

    await rm(backups(), { recursive: true });
    await backupAfterIncrementals(9);
    await rm(join(dir, 'reflash.json'), { force: true }); // a new flow
    await toFlashStep(makeFlow().flow);
    const due = jobs.requests.filter((r) => r.type === 'backup').at(-1);
    expect(due?.params).toMatchObject({ fullVerify: true });
  });
});

describe('reflash flow in main', () => {
  it('an image chosen with noBmap is checked without its .bmap, and the choice is kept in the state', async () => {
    const { flow } = makeFlow();
    const s = await flow.settled(
      (await flow.chooseImage({ source: '/images/kintsugi-v2.img.zst', noBmap: true })).jobId,
    );
    expect(jobs.requests[0]).toMatchObject({ type: 'image-check', params: { noBmap: true } });
    expect(s.noBmap).toBe(true);
    expect(
      reflashContract.methods.chooseImage.args.safeParse([{ source: '/i/k.img', noBmap: true }]).success,
    ).toBe(true);
  });

  it('runs image -> drive -> backup -> flash -> restore, building every request from its own state', async () => {
    const { flow } = makeFlow();
    const s = await toFlashStep(flow);
    expect(s.device).toBe('/dev/loop9'); // canonical, never the link the user picked
    expect(s.step).toBe('flash');
    const { jobId } = await flow.startFlash({ typed: 'loop9' });
    const afterFlash = await flow.settled(jobId);
    expect(afterFlash.step).toBe('restore');
    expect(afterFlash.writtenDevice).toBe('/dev/loop9');
    const done = await flow.settled((await flow.startRestore({})).jobId);
    expect(done.step).toBe('done');
    expect(restoreOutcome(done)).toEqual({ kind: 'restored', files: 3 });
    const flash = jobs.requests.find((r) => r.type === 'flash')!;
    expect(flash.params).toMatchObject({ device: '/dev/loop9', image: '/images/kintsugi-v2.img.zst' });
    const restore = jobs.requests.find((r) => r.type === 'restore')!;
    expect(restore.params).toMatchObject({ backupDir: s.backup!.path, target: '/dev/loop9' });
    expect(jobs.requests.find((r) => r.type === 'backup')!.params).toMatchObject({ source: '/dev/loop9' });
  });

  it('refuses a flash before a verified backup, whatever the renderer asks', async () => {
    const { flow } = makeFlow();
    await flow.settled((await flow.chooseImage({ source: '/images/a.img.zst' })).jobId);
    await flow.chooseDrive({ device: '/dev/loop9' });
    await gateError(flow.startFlash({ typed: 'loop9' }));
    await gateError(flow.startRestore({}));
    expect(jobs.requests.map((r) => r.type)).toEqual(['image-check']);
  });

  it('a skipped backup needs the device name typed; the wrong name is refused', async () => {
    const { flow } = makeFlow();
    await flow.settled((await flow.chooseImage({ source: '/images/a.img.zst' })).jobId);
    await flow.chooseDrive({ device: '/dev/loop9' });
    await unconfirmed(flow.skipBackup({ typed: 'loop8' }));
    await unconfirmed(flow.skipBackup({ typed: '' }));
    await flow.skipBackup({ typed: '/dev/loop9' });
    const done = await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId);
    expect(done.step).toBe('done');
    expect(restoreOutcome(done)).toEqual({ kind: 'no-backup' });
  });

  it('checks an image as raw only with RAW or its file name typed', async () => {
    const { flow } = makeFlow();
    await unconfirmed(flow.chooseImage({ source: '/images/odd.bin', forceRaw: { typed: '' } }));
    await unconfirmed(flow.chooseImage({ source: '/images/odd.bin', forceRaw: { typed: 'raw' } }));
    await unconfirmed(flow.chooseImage({ source: '/images/odd.bin', forceRaw: { typed: 'other.bin' } }));
    expect(jobs.requests).toHaveLength(0);
    await flow.settled((await flow.chooseImage({ source: '/images/odd.bin' })).jobId);
    await flow.settled(
      (await flow.chooseImage({ source: '/images/odd.bin', forceRaw: { typed: 'RAW' } })).jobId,
    );
    await flow.settled(
      (await flow.chooseImage({ source: '/images/odd.bin', forceRaw: { typed: 'odd.bin' } })).jobId,
    );
    expect(jobs.requests.map((r) => (r.params as { forceRaw?: boolean }).forceRaw)).toEqual([
      undefined,
      true,
      true,
    ]);
  });

  it('goes on without a signature only with UNSIGNED typed', async () => {
    const { flow } = makeFlow();
    await unconfirmed(
      flow.chooseImage({ source: '/images/a.img.zst', allowUnsigned: { typed: 'unsigned' } }),
    );
    expect(jobs.requests).toHaveLength(0);
    await flow.settled(
      (await flow.chooseImage({ source: '/images/a.img.zst', allowUnsigned: { typed: 'UNSIGNED' } })).jobId,
    );
    expect(jobs.requests[0]!.params).toMatchObject({ allowUnsigned: true });
  });

  it('refuses a backup destination on the drive that will be erased, before anything starts', async () => {
    const { flow } = makeFlow();
    await flow.settled((await flow.chooseImage({ source: '/images/a.img.zst' })).jobId);
    await flow.chooseDrive({ device: '/dev/loop9' });
    onDrive.add('/mnt/usb/backups');
    await expect(flow.startBackup({ backupDir: '/mnt/usb/backups' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringMatching(/on \/dev\/loop9/),
    });
    expect(jobs.requests.map((r) => r.type)).toEqual(['image-check']);
  });

  it('never backs up a drive it has written: "Back up again" after flashing is refused, the backup stays fixed', async () => {
    const { flow } = makeFlow();
    const before = await toFlashStep(flow);
    await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId);
    await gateError(flow.goTo({ step: 'backup' }));
    await gateError(flow.startBackup({ backupDir: backups() }));
    await gateError(flow.chooseDrive({ device: '/dev/loop8' }));
    expect((await flow.state()).backup?.path).toBe(before.backup!.path);
    expect(jobs.requests.filter((r) => r.type === 'backup')).toHaveLength(1);
  });

  it('a retry after a cancelled flash needs the erase confirmation again', async () => {
    const { flow, runner } = makeFlow();
    await toFlashStep(flow);
    jobs.hang.add('flash');
    const { jobId } = await flow.startFlash({ typed: 'loop9' });
    await gateError(flow.startFlash({ typed: 'loop9' })); // one at a time
    while (!jobs.requests.some((r) => r.type === 'flash')) await new Promise((r) => setTimeout(r, 5));
    runner.cancel(jobId);
    const after = await flow.settled(jobId);
    expect(after.activeJob).toBeUndefined();
    expect(after.writtenDevice).toBe('/dev/loop9');
    jobs.hang.clear();
    await unconfirmed(flow.startFlash({ typed: '' }));
    await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId);
    expect(jobs.requests.filter((r) => r.type === 'flash')).toHaveLength(2);
  });

  it('Start over between flash and restore asks for the device name; the backup is kept on disk', async () => {
    const { flow } = makeFlow();
    await toFlashStep(flow);
    await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId);
    await unconfirmed(flow.startOver({}));
    await unconfirmed(flow.startOver({ typed: 'loop8' }));
    expect((await flow.startOver({ typed: 'loop9' })).step).toBe('image');
  });

  it('after a crash mid-flash, a new flow on the same drive restores the first backup and never backs the drive up', async () => {
    const first = makeFlow();
    const taken = await toFlashStep(first.flow);
    jobs.hang.add('flash');
    const { jobId: dead } = await first.flow.startFlash({ typed: 'loop9' });
    // The process dies: a new runner and flow over the same files. The job it waited for is gone.
    first.flow.unsubscribe();
    jobs.hang.clear();
    const second = makeFlow();
    const resumed = await second.flow.state();
    // The state still names the dead job (the page shows it interrupted); it does not hold the flow up.
    expect(resumed.activeJob?.jobId).toBe(dead);
    expect(resumed.writtenDevice).toBe('/dev/loop9');
    // Even after Start over (typed) and a new image (e.g. the first one was corrupt), the ledger knows the drive.
    await second.flow.startOver({ typed: 'loop9' });
    await second.flow.settled(
      (await second.flow.chooseImage({ source: '/images/kintsugi-v3.img.zst' })).jobId,
    );
    const adopted = await second.flow.chooseDrive({ device: '/dev/loop9' });
    expect(adopted.backup?.path).toBe(taken.backup!.path);
    expect(adopted.step).toBe('flash');
    await gateError(second.flow.startBackup({ backupDir: backups() }));
    await second.flow.settled((await second.flow.startFlash({ typed: 'loop9' })).jobId);
    const done = await second.flow.settled((await second.flow.startRestore({})).jobId);
    expect(jobs.requests.filter((r) => r.type === 'backup')).toHaveLength(1);
    expect(jobs.requests.at(-1)!.params).toMatchObject({ backupDir: taken.backup!.path });
    expect(restoreOutcome(done).kind).toBe('restored');
  });

  it('a drive once flashed whole without a backup, or whose restore was given up by name, is backed up again next time', async () => {
    const { flow } = makeFlow();
    // 1. Skipped backup, verified flash: nothing is owed on the drive.
    await flow.settled((await flow.chooseImage({ source: '/images/a.img.zst' })).jobId);
    await flow.chooseDrive({ device: '/dev/loop9' });
    await flow.skipBackup({ typed: 'loop9' });
    await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId);
    // A new image chosen straight from Done (no Start over): nothing of the finished flow holds the drive.
    const second = await toFlashStep(flow);
    expect(second.backup).toBeDefined();
    // 2. Verified flash, restore given up by typing the name: the next flow takes a new backup, not the old one.
    await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId);
    await flow.startOver({ typed: 'loop9' });
    const third = await toFlashStep(flow);
    expect(third.backup!.path).not.toBe(second.backup!.path);
    expect(jobs.requests.filter((r) => r.type === 'backup')).toHaveLength(2);
  });

  it('a skipped backup then an interrupted flash: the drive is never backed up afterwards, the skip is asked again', async () => {
    const first = makeFlow();
    await first.flow.settled((await first.flow.chooseImage({ source: '/images/a.img.zst' })).jobId);
    await first.flow.chooseDrive({ device: '/dev/loop9' });
    await first.flow.skipBackup({ typed: 'loop9' });
    jobs.hang.add('flash');
    await first.flow.startFlash({ typed: 'loop9' });
    first.flow.unsubscribe();
    jobs.hang.clear();
    const { flow } = makeFlow();
    await flow.startOver({});
    await flow.settled((await flow.chooseImage({ source: '/images/a.img.zst' })).jobId);
    await flow.chooseDrive({ device: '/dev/loop9' });
    await expect(flow.startBackup({ backupDir: backups() })).rejects.toMatchObject({
      code: 'FLOW_GATE',
      detail: expect.stringMatching(/skipped its backup/),
    });
    await flow.skipBackup({ typed: 'loop9' });
    expect((await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId)).step).toBe('done');
  });

  it('a restore holding fewer files than the backup is not called "back in place"', async () => {
    jobs.restoredFiles = 2;
    const { flow } = makeFlow();
    await toFlashStep(flow);
    await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId);
    const done = await flow.settled((await flow.startRestore({})).jobId);
    expect(restoreOutcome(done)).toMatchObject({ kind: 'incomplete', restoredFiles: 2, backupFiles: 3 });
  });

  it('restores an existing backup as its own flow, with the device name typed', async () => {
    const { flow } = makeFlow();
    const taken = await toFlashStep(flow);
    await flow.settled((await flow.startFlash({ typed: 'loop9' })).jobId);
    await flow.settled((await flow.startRestore({})).jobId);
    const s = await flow.useExistingBackup({ path: taken.backup!.path });
    expect(s).toMatchObject({ restoreOnly: true, step: 'drive' });
    await flow.chooseDrive({ device: '/dev/loop7' });
    await gateError(flow.startFlash({ typed: 'loop7' }));
    await unconfirmed(flow.startRestore({}));
    const done = await flow.settled((await flow.startRestore({ typed: 'loop7' })).jobId);
    expect(done.step).toBe('done');
    expect(jobs.requests.at(-1)!.params).toMatchObject({
      backupDir: taken.backup!.path,
      target: '/dev/loop7',
    });
    await expect(flow.useExistingBackup({ path: dir })).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    // A backup whose last check found damage is not offered again (shared/backup/usable.ts).
    const check = { at: 'now', ok: false, files: 1, problems: ['a.txt: missing'], problemCount: 1 };
    await writeFile(join(taken.backup!.path, 'kintsugi-backup.check.json'), JSON.stringify(check));
    await expect(flow.useExistingBackup({ path: taken.backup!.path })).rejects.toMatchObject({
      code: 'BACKUP_NOT_FOUND',
      detail: expect.stringContaining('failed its last check (a.txt: missing)'),
    });
  });

  it('a system drive is refused at choice time with its DRIVE_* code', async () => {
    const { flow } = makeFlow();
    await flow.settled((await flow.chooseImage({ source: '/images/a.img.zst' })).jobId);
    await expect(flow.chooseDrive({ device: '/dev/vda' })).rejects.toMatchObject({ code: 'DRIVE_IS_SYSTEM' });
    expect((await flow.state()).device).toBeUndefined();
  });
});
