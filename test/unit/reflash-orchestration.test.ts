import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { JobRequest } from '../../src/shared/jobs';
import type { Progress } from '../../src/shared/progress';
import { quietContext } from '../../src/main/core/jobs/context';
import { runReflash, type ReflashParams } from '../../src/main/core/reflash/run-reflash';

// The ordering and gating rules of runReflash, with the jobs answered by a scripted executor. The same flow on a
// real loop device is in test/integration/reflash-loop.test.ts.

const params: ReflashParams = {
  image: '/img/kintsugi-v2.img.zst',
  sha256File: '/img/kintsugi-v2.img.zst.sha256',
  device: '/dev/loop9',
  backupTo: '/backups',
  includeLoop: true,
};
const report = {
  path: '/img/kintsugi-v2.img.zst',
  source: '/img/kintsugi-v2.img.zst',
  compression: 'zstd',
  fileSize: 10,
  imageSize: 100,
  version: '2',
  checksum: { target: 'compressed', fileName: 'kintsugi-v2.img.zst', expected: 'a'.repeat(64), ok: true },
};
const flash = {
  device: '/dev/loop9',
  bytesWritten: 100,
  sha256: 'b'.repeat(64),
  verified: true,
  usedBmap: false,
  durationMs: 5,
};
const backup = { path: '/backups/2026-x', verified: true, files: 3, bytes: 30 };
const restore = {
  backupDir: '/backups/2026-x',
  target: '/dev/loop9',
  files: 3,
  bytes: 30,
  verified: true,
  durationMs: 1,
};

function scripted(answers: Partial<Record<JobRequest['type'], unknown>>) {
  const calls: JobRequest[] = [];
  const executor = {
    run: async (req: JobRequest) => {
      calls.push(req);
      const a = answers[req.type];
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return { calls, executor };
}

const checkDrive = async () => ({});
const fails = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as KintsugiError;
  }
  throw new Error('expected failure');
};

describe('runReflash', () => {
  it('checks, backs up, flashes with the published hash, restores, and summarises', async () => {
    const { calls, executor } = scripted({ 'image-check': report, backup, flash, restore });
    const steps: string[] = [];
    const ctx = { ...quietContext(), progress: (p: Progress) => p.kind === 'step' && steps.push(p.step) };
    const s = await runReflash(params, ctx, executor, { checkDrive });
    expect(calls.map((c) => c.type)).toEqual(['image-check', 'backup', 'flash', 'restore']);
    expect(steps).toEqual(['image', 'drive', 'backup', 'flash', 'restore', 'done']);
    expect(calls[1]).toEqual({
      type: 'backup',
      params: { source: '/dev/loop9', destRoot: '/backups', includeLoop: true },
    });
    expect(calls[2]!.params).toMatchObject({
      verify: true,
      expectedSha256: { target: 'compressed', value: 'a'.repeat(64) },
    });
    expect(calls[3]).toEqual({
      type: 'restore',
      params: { backupDir: '/backups/2026-x', target: '/dev/loop9', includeLoop: true },
    });
    expect(s).toMatchObject({
      device: '/dev/loop9',
      backup: { path: '/backups/2026-x', verified: true },
      hashes: { written: 'b'.repeat(64), published: { value: 'a'.repeat(64) } },
      bytes: { written: 100, backedUp: 30, restored: 30 },
      backupSkipped: false,
    });
    expect(Object.keys(s.durations)).toEqual(['image', 'drive', 'backup', 'flash', 'restore']);
  });

  it('never flashes when the backup is not verified, or fails', async () => {
    const a = scripted({ 'image-check': report, backup: { ...backup, verified: false }, flash, restore });
    expect((await fails(runReflash(params, quietContext(), a.executor, { checkDrive }))).code).toBe(
      'BACKUP_VERIFY_FAILED',
    );
    expect(a.calls.map((c) => c.type)).toEqual(['image-check', 'backup']);
    const b = scripted({
      'image-check': report,
      backup: new KintsugiError('BACKUP_NO_SPACE', '/backups'),
      flash,
    });
    expect((await fails(runReflash(params, quietContext(), b.executor, { checkDrive }))).code).toBe(
      'BACKUP_NO_SPACE',
    );
    expect(b.calls.map((c) => c.type)).toEqual(['image-check', 'backup']);
  });

  it('refuses an image whose checksum entry is missing, and a bad drive, before any backup', async () => {
    const a = scripted({ 'image-check': { ...report, checksum: undefined } });
    expect((await fails(runReflash(params, quietContext(), a.executor, { checkDrive }))).code).toBe(
      'IMAGE_CHECKSUM_MISSING',
    );
    const b = scripted({ 'image-check': report });
    const bad = async () => {
      throw new KintsugiError('DRIVE_TOO_SMALL', 'loop9 is 10 bytes');
    };
    expect((await fails(runReflash(params, quietContext(), b.executor, { checkDrive: bad }))).code).toBe(
      'DRIVE_TOO_SMALL',
    );
    expect(b.calls.map((c) => c.type)).toEqual(['image-check']);
  });

  it('skipBackup flashes without backup or restore; a failed flash after a backup names where the backup is', async () => {
    const a = scripted({ 'image-check': report, flash });
    const s = await runReflash({ ...params, skipBackup: true }, quietContext(), a.executor, { checkDrive });
    expect(a.calls.map((c) => c.type)).toEqual(['image-check', 'flash']);
    expect(s).toMatchObject({ backup: null, restore: null, backupSkipped: true });

    const b = scripted({
      'image-check': report,
      backup,
      flash: new KintsugiError('DRIVE_GONE', 'loop9 vanished'),
    });
    const err = await fails(runReflash(params, quietContext(), b.executor, { checkDrive }));
    expect(err.code).toBe('DRIVE_GONE');
    expect(err.detail).toBe('loop9 vanished; your backup is safe at /backups/2026-x');
  });

  it('stops between steps once cancelled', async () => {
    const ac = new AbortController();
    const { calls, executor } = scripted({ 'image-check': report, backup, flash, restore });
    const slowCheck = async () => ac.abort();
    expect(
      (await fails(runReflash(params, quietContext(ac.signal), executor, { checkDrive: slowCheck }))).code,
    ).toBe('CANCELLED');
    expect(calls.map((c) => c.type)).toEqual(['image-check']);
  });
});
