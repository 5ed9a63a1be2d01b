import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WrittenDrivesLedger } from '../../src/main/core/reflash/ledger';

// The ledger's record of the image written to each drive: what the home page shows as "on the drive".

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-ledger-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('WrittenDrivesLedger image record', () => {
  it('names the image written last, across drives, and a second write to a drive replaces its image', async () => {
    const ledger = new WrittenDrivesLedger(join(dir, 'written-drives.json'));
    expect(await ledger.lastImage()).toBeUndefined();
    await ledger.markWritten(
      'a',
      { device: '/dev/loop1', backupPath: '/b/1' },
      { name: 'k-v1.img', version: '1' },
    );
    await new Promise((r) => setTimeout(r, 5)); // distinct timestamps
    await ledger.markWritten('b', { device: '/dev/loop2' }, { name: 'k-v2.img', version: '2' });
    expect((await ledger.lastImage())?.device).toBe('/dev/loop2');
    await new Promise((r) => setTimeout(r, 5));
    // Drive a again, before its restore: the first backup stays owed, the image is the new one.
    await ledger.markWritten('a', { device: '/dev/loop1', backupPath: '/b/other' }, { name: 'k-v3.img' });
    const last = await ledger.lastImage();
    expect(last).toMatchObject({ device: '/dev/loop1', backupPath: '/b/1', image: { name: 'k-v3.img' } });
    expect(last?.image?.version).toBeUndefined();
  });
});
