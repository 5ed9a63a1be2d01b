import { describe, expect, it } from 'vitest';
import { settingsPatch, settingsSchema } from '../../src/shared/app/settings';

// The patch is derived from the one settings schema: every field, optional, nothing else, and no default filled in
// (a patch that fills includeLoop: false or dataRoot: '/data' would overwrite what the person saved).

describe('settingsPatch', () => {
  it('fills in no default: an empty patch stays empty', () => {
    expect(settingsPatch.parse({})).toEqual({});
  });

  it('takes every field of the schema, and nothing else', () => {
    for (const key of Object.keys(settingsSchema.shape)) expect(settingsPatch.shape).toHaveProperty(key);
    expect(() => settingsPatch.parse({ notASetting: 1 })).toThrow();
  });

  it('folders a person types may start with ~ or be empty; the others must be absolute', () => {
    expect(settingsPatch.parse({ backupDir: '~/b', dataRoot: '', cacheDir: '/c' })).toEqual({
      backupDir: '~/b',
      dataRoot: '',
      cacheDir: '/c',
    });
    expect(() => settingsPatch.parse({ npmPrefix: '~/npm' })).toThrow();
    expect(() => settingsPatch.parse({ kernelWorkspace: 'relative' })).toThrow();
  });

  it('keeps each field’s own rule (the range of a number, the names of an enum)', () => {
    expect(settingsPatch.parse({ fullVerifyEvery: 3, osBackend: 'apt' })).toEqual({
      fullVerifyEvery: 3,
      osBackend: 'apt',
    });
    expect(() => settingsPatch.parse({ osCheckIntervalHours: 0 })).toThrow();
    expect(() => settingsPatch.parse({ osBackend: 'yum' })).toThrow();
  });
});
