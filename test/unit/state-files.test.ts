import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../src/main/core/app/settings-store';
import { ReflashStore } from '../../src/main/core/reflash/store';

// The state files main keeps (the reflash flow's, the settings): atomic, validated on load, a damaged file moved
// aside rather than trusted or deleted.

class WizardStore extends ReflashStore {
  constructor(d: string) {
    super(join(d, 'wizard.json'));
  }
  reset() {
    return this.save({ step: 'image', durations: {} });
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-wizard-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ReflashStore', () => {
  it('starts fresh, survives a restart (a new store on the same dir) and resets', async () => {
    const a = new WizardStore(dir);
    expect(await a.load()).toEqual({ step: 'image', durations: {} });
    await a.save({
      step: 'backup',
      device: '/dev/loop7',
      backupDir: '/tmp/bk',
      durations: { image: 10, drive: 5 },
    });
    const b = new WizardStore(dir);
    expect(await b.load()).toMatchObject({
      step: 'backup',
      device: '/dev/loop7',
      backupDir: '/tmp/bk',
      durations: { image: 10 },
    });
    // Atomic write leaves no temp files behind.
    expect((await readdir(dir)).sort()).toEqual(['wizard.json']);
    await b.reset();
    expect((await new WizardStore(dir).load()).step).toBe('image');
  });

  it('moves a corrupt file aside and starts fresh', async () => {
    await writeFile(join(dir, 'wizard.json'), '{"step": "flash", "durations": {');
    const s = new WizardStore(dir);
    expect(await s.load()).toEqual({ step: 'image', durations: {} });
    expect(s.lastCorruptCopy).toMatch(/wizard\.json\.corrupt-/);
    expect(await readFile(s.lastCorruptCopy!, 'utf8')).toContain('"flash"');
  });

  it('treats a well-formed but invalid state as corrupt', async () => {
    await writeFile(join(dir, 'wizard.json'), JSON.stringify({ step: 'warp', durations: {} }));
    const s = new WizardStore(dir);
    expect((await s.load()).step).toBe('image');
    expect(s.lastCorruptCopy).toBeDefined();
  });

  it('refuses to save an invalid state', async () => {
    const s = new WizardStore(dir);
    await expect(s.save({ step: 'nowhere' } as never)).rejects.toThrow();
  });

  it('does not trust a saved file that claims an unverified backup, or fields it does not know', async () => {
    const base = { step: 'flash', durations: {}, device: '/dev/loop3' };
    const unverified = {
      ...base,
      backup: { path: '/b/x', device: '/dev/loop3', manifest: { verified: false } },
    };
    await writeFile(join(dir, 'wizard.json'), JSON.stringify(unverified));
    const s = new WizardStore(dir);
    expect((await s.load()).backup).toBeUndefined();
    expect(s.lastCorruptCopy).toBeDefined();
    await writeFile(join(dir, 'wizard.json'), JSON.stringify({ ...base, backupSkipped: true }));
    expect((await new WizardStore(dir).load()).step).toBe('image');
  });
});

describe('SettingsStore', () => {
  it('defaults dataRoot to /data, merges patches, drops an empty public key', async () => {
    const s = new SettingsStore(dir);
    expect(await s.load()).toEqual({ includeLoop: false, dataRoot: '/data' });
    await s.save({ includeLoop: true, pubkey: 'RWQ...' });
    await s.save({ backupDir: '/tmp/bk' });
    expect(await new SettingsStore(dir).load()).toEqual({
      includeLoop: true,
      dataRoot: '/data',
      pubkey: 'RWQ...',
      backupDir: '/tmp/bk',
    });
    expect((await s.save({ pubkey: '  ' })).pubkey).toBeUndefined();
  });

  it('expands ~ to the home folder, clears a folder saved empty, and keeps two changes saved at once', async () => {
    const s = new SettingsStore(dir);
    expect((await s.save({ backupDir: '~/kintsugi-backups' })).backupDir).toBe(
      join(homedir(), 'kintsugi-backups'),
    );
    expect((await s.save({ cacheDir: ' ~ ' })).cacheDir).toBe(homedir());
    expect((await s.save({ backupDir: '' })).backupDir).toBeUndefined();
    expect((await s.save({ dataRoot: '' })).dataRoot).toBe('/data'); // back to its default
    // A checkbox and a folder changed in the same moment: neither save reverts the other.
    await Promise.all([
      s.save({ includeLoop: true }),
      s.save({ backupDir: '/srv/b' }),
      s.save({ pubkey: 'RWQx' }),
    ]);
    expect(await new SettingsStore(dir).load()).toMatchObject({
      includeLoop: true,
      backupDir: '/srv/b',
      pubkey: 'RWQx',
    });
  });

  it('recovers from a corrupt settings file', async () => {
    await writeFile(join(dir, 'settings.json'), 'not json');
    const s = new SettingsStore(dir);
    expect((await s.load()).includeLoop).toBe(false);
    expect(s.lastCorruptCopy).toBeDefined();
  });
});
