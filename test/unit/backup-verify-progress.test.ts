import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/shared/progress';
import { verifyProgressReporter } from '../../src/main/core/backup/progress-reporter';

// The verify phase of a backup, a restore and a check reports like every long job: bytes of total, files of
// files, speed over the meter's window and the ETA that follows; at most one event per 100 ms from here.

function harness(total: number, files?: number) {
  let t = 0;
  const events: Progress[] = [];
  const r = verifyProgressReporter({ progress: (p) => events.push(p) }, total, files, () => t);
  return { r, events, tick: (ms: number) => (t += ms) };
}

describe('verify progress', () => {
  it('reports bytes, files, speed and ETA from the files checked', () => {
    const { r, events, tick } = harness(1000, 10);
    r.start();
    expect(events[0]).toMatchObject({
      kind: 'backup',
      phase: 'verify',
      bytes: 0,
      total: 1000,
      items: 0,
      itemsTotal: 10,
    });
    tick(500);
    r.file(100);
    tick(500);
    r.file(100);
    const last = events.at(-1)!;
    // 200 bytes in 1 s: 200 B/s, 800 bytes left: 4 s.
    expect(last).toMatchObject({ bytes: 200, total: 1000, items: 2, itemsTotal: 10, speed: 200, eta: 4 });
  });

  it('holds back events closer than 100 ms, and the end reports the whole total', () => {
    const { r, events, tick } = harness(1000, 3);
    r.start();
    tick(10);
    r.file(300);
    tick(10);
    r.file(300);
    expect(events).toHaveLength(1);
    tick(100);
    r.file(300);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ bytes: 900, items: 3 });
    r.end();
    expect(events.at(-1)).toMatchObject({ bytes: 1000, total: 1000, eta: 0 });
  });

  it('never shows more than the total (a tree that grew while it was copied)', () => {
    const { r, events, tick } = harness(100, 1);
    r.start();
    tick(200);
    r.file(150);
    tick(200);
    r.file(10);
    expect(events.at(-1)).toMatchObject({ bytes: 100, total: 100, items: 2, itemsTotal: 2 });
  });
});
