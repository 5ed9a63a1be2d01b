import { describe, expect, it } from 'vitest';
import { ProgressMeter } from '../../src/main/core/jobs/progress-meter';
import { throttle } from '../../src/main/core/jobs/throttle';

describe('ProgressMeter', () => {
  it('measures speed over the window and derives the ETA', () => {
    let t = 0;
    const m = new ProgressMeter(1000, 2000, () => t);
    m.update(0);
    t = 1000;
    const s = m.update(100);
    expect(s.speed).toBeCloseTo(100);
    expect(s.eta).toBeCloseTo(9);
  });

  it('forgets samples older than the window', () => {
    let t = 0;
    const m = new ProgressMeter(undefined, 2000, () => t);
    m.update(0);
    t = 1000;
    m.update(1000); // fast first second
    t = 3000;
    m.update(1100);
    t = 4000;
    const s = m.update(1200); // slow: 100 B/s for the last 3 s
    expect(s.speed).toBeLessThan(200);
    expect(s.eta).toBeUndefined();
  });
});

describe('throttle', () => {
  it('lets through at most N per second and flushes the last value', () => {
    let t = 0;
    const seen: number[] = [];
    const th = throttle<number>(
      (v) => seen.push(v),
      10,
      () => t,
    );
    for (let i = 0; i < 100; i++) {
      t = i * 10; // 100 pushes in 1 s
      th.push(i);
    }
    th.flush();
    expect(seen.length).toBeLessThanOrEqual(11);
    expect(seen.at(-1)).toBe(99);
  });

  it('emits from push itself once the gap has passed, not only on flush', () => {
    // A throttle that only ever emitted on flush would show a job's progress once, at the end.
    let t = 0;
    const seen: number[] = [];
    const th = throttle<number>(
      (v) => seen.push(v),
      10,
      () => t,
    );
    for (let i = 0; i < 100; i++) {
      t = i * 10;
      th.push(i);
    }
    expect(seen).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    th.flush();
    expect(seen.at(-1)).toBe(99);
  });
});
