import { describe, expect, it } from 'vitest';
import { jobIdTime, newJobId } from '../../src/main/core/jobs/job-id';

// Job ids carry their start time (job-id.ts): the journal's prune orders its files by name on that account.

describe('job ids', () => {
  it('sort as text in the order they were made, within one millisecond too, and carry that time', () => {
    const at = Date.parse('2026-11-25T10:00:00.123Z');
    const ids = [
      ...Array.from({ length: 50 }, () => newJobId(at)),
      ...Array.from({ length: 50 }, () => newJobId(at + 1)),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(jobIdTime(ids[0]!)).toBe(at);
    expect(jobIdTime(ids[99]!)).toBe(at + 1);
    expect(jobIdTime('0b7e6d0c-4c1e-4f0e-9a3b-2f1d5c6e7a80')).toBeUndefined(); // a v4 UUID: random, no time
  });
});
