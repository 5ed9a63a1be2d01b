import { describe, expect, it } from 'vitest';
import { DEFAULT_FULL_VERIFY_EVERY, parseFullVerifyEvery } from '../../src/shared/backup/full-verify';
import { settingsPatch } from '../../src/shared/app/settings';

// The Settings dialog's "Full verify every Nth backup": what it accepts is what the settings patch accepts.

describe('parseFullVerifyEvery', () => {
  it('takes whole numbers from 0 (never) to 1000, and an empty field as the default', () => {
    expect(parseFullVerifyEvery('0')).toEqual({ value: 0 });
    expect(parseFullVerifyEvery(' 7 ')).toEqual({ value: 7 });
    expect(parseFullVerifyEvery('1000')).toEqual({ value: 1000 });
    expect(parseFullVerifyEvery('')).toEqual({ value: DEFAULT_FULL_VERIFY_EVERY });
  });

  it('refuses what the settings would refuse, saying why', () => {
    for (const bad of ['-1', '2.5', 'ten', '1e3', '0x10'])
      expect(parseFullVerifyEvery(bad)).toEqual({ error: expect.stringContaining('whole number') });
    expect(parseFullVerifyEvery('1001')).toEqual({ error: 'at most 1000' });
  });

  it('agrees with the settings patch at the edges', () => {
    for (const text of ['0', '1000', '1001', '12']) {
      const parsed = parseFullVerifyEvery(text);
      const patch = settingsPatch.safeParse({ fullVerifyEvery: Number(text) });
      expect('value' in parsed).toBe(patch.success);
    }
  });
});
