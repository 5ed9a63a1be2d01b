import { describe, expect, it, vi } from 'vitest';
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

  it('stays cheap and still windowed when called for every chunk', () => {
    // Producers report every chunk and leave the throttling to the job runner: each call must not pay for a
    // window holding every earlier call.
    let t = 0;
    let bytes = 0;
    const m = new ProgressMeter(undefined, 2000, () => t);
    const t0 = performance.now();
    const run = (calls: number, stepMs: number, stepBytes: number) => {
      for (let i = 0; i < calls; i++) {
        t += stepMs;
        m.update((bytes += stepBytes));
      }
    };
    run(150_000, 0.02, 20); // 1 MB/s for 3 s, 50k calls a second
    run(100_000, 0.03, 1); // then ~33 kB/s for 3 s
    expect(performance.now() - t0).toBeLessThan(1000); // ~20 ms; a window holding every call takes many seconds
    const { speed } = m.update(bytes);
    expect(speed).toBeGreaterThan(31_000);
    expect(speed).toBeLessThan(35_000);
  });
});

describe('throttle', () => {
  it('lets through at most N per second and flushes the last value', () => {
    let t = 0;
    const seen: number[] = [];
    const th = throttle<number>((v) => seen.push(v), { perSecond: 10, now: () => t });
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
    const th = throttle<number>((v) => seen.push(v), { perSecond: 10, now: () => t });
    for (let i = 0; i < 100; i++) {
      t = i * 10;
      th.push(i);
    }
    expect(seen).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    th.flush();
    expect(seen.at(-1)).toBe(99);
  });

  it('delivers a held value when its gap has passed, even if nothing follows it', () => {
    // A pull that stalls right after a burst of progress: without the trailing delivery the page shows the
    // burst's first value for as long as the stall lasts (models e2e: 8% shown while 42% was on disk).
    vi.useFakeTimers();
    try {
      let t = 0;
      const seen: number[] = [];
      const th = throttle<number>((v) => seen.push(v), { perSecond: 10, now: () => t });
      for (let i = 0; i < 5; i++) {
        t = i * 10;
        th.push(i);
      }
      expect(seen).toEqual([0]);
      t = 100;
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([0, 4]);
      vi.advanceTimersByTime(1000);
      expect(seen).toEqual([0, 4]); // delivered once, not again
    } finally {
      vi.useRealTimers();
    }
  });

  it('delivers a new key at once, after the last value of the previous key', () => {
    // A phase that starts within a tenth of a second of the last event must not wait (or vanish) behind the
    // rate limit, nor take the previous phase's final value with it.
    let t = 0;
    const seen: string[] = [];
    const th = throttle<string>((v) => seen.push(v), { perSecond: 10, now: () => t, keyOf: (v) => v[0]! });
    th.push('a1');
    t = 10;
    th.push('a2');
    t = 20;
    th.push('b1');
    t = 30;
    th.push('b2');
    expect(seen).toEqual(['a1', 'a2', 'b1']);
    th.flush();
    expect(seen).toEqual(['a1', 'a2', 'b1', 'b2']);
  });
});
