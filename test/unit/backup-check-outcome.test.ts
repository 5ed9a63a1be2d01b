import { describe, expect, it } from 'vitest';
import { checkOutcome } from '../../src/shared/backup/check-outcome';
import type { BackupCheckResult } from '../../src/shared/backup/contract';

// The restore list's Check: what its row says for each way the job can end.

const result = (over: Partial<BackupCheckResult>): BackupCheckResult => ({
  at: '2026-11-25T06:00:00.000Z',
  ok: true,
  files: 12,
  problems: [],
  problemCount: 0,
  path: '/b/kintsugi-backup-x',
  id: 'kintsugi-backup-x',
  bytes: 1000,
  recorded: true,
  ...over,
});

describe('checkOutcome', () => {
  it('says a running check is running, and a clean one OK with the count read', () => {
    expect(checkOutcome({ state: 'running' }).kind).toBe('running');
    expect(checkOutcome({ state: 'done', result: result({}) })).toEqual({
      kind: 'ok',
      text: '✓ OK: 12 file(s) match their checksums',
    });
  });

  it('names the damaged files, the first few, with the count of all', () => {
    const problems = ['a (changed)', 'b (missing)', 'c (truncated)'];
    const seven = checkOutcome(
      { state: 'done', result: result({ ok: false, problems, problemCount: 7 }) },
      2,
    );
    expect(seven).toEqual({
      kind: 'damaged',
      text: '✕ damaged: 7 problem(s) (first 2 shown)',
      files: ['a (changed)', 'b (missing)'],
    });
    const all = checkOutcome({ state: 'done', result: result({ ok: false, problems, problemCount: 3 }) });
    expect(all).toMatchObject({ text: '✕ damaged: 3 problem(s)', files: problems });
  });

  it('says why a check could not run, and never calls a failed or interrupted job OK', () => {
    const failed = checkOutcome({
      state: 'failed',
      error: {
        message: 'Verification failed',
        detail: 'no per-file checksums',
      },
    });
    expect(failed).toEqual({
      kind: 'failed',
      text: 'Check failed: Verification failed (no per-file checksums)',
    });
    expect(checkOutcome({ state: 'interrupted', result: result({}) }).kind).toBe('failed');
  });
});
