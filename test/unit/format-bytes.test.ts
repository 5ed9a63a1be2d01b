import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/shared/format-bytes';

describe('formatBytes', () => {
  it('uses binary units with one decimal below 100', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 ** 2)).toBe('64.0 MiB');
    expect(formatBytes(256 * 1024 ** 3)).toBe('256 GiB');
  });

  it('says nothing is known rather than printing NaN', () => {
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('keeps the sign of a shortfall', () => {
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
  });
});
