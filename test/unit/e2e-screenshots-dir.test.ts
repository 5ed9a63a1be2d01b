import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { screenshotsDir } from '../e2e/harness/screenshots';

// The committed screenshots change only when asked for: an ordinary e2e run writes to an ignored folder.
describe('e2e screenshots folder', () => {
  it('is out/screenshots unless KINTSUGI_REFRESH_SCREENSHOTS=1', () => {
    expect(screenshotsDir({})).toBe(resolve('out/screenshots'));
    expect(screenshotsDir({ KINTSUGI_REFRESH_SCREENSHOTS: '0' })).toBe(resolve('out/screenshots'));
    expect(screenshotsDir({ KINTSUGI_REFRESH_SCREENSHOTS: '1' })).toBe(resolve('docs/screenshots'));
  });
});
