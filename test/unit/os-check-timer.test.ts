import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOsCheckTimer } from '../../src/main/core/os/check-timer';
import { OsStateStore } from '../../src/main/core/os/state-store';
import type { Settings } from '../../src/shared/app/settings';

// The background check's loop on a fake clock and fake timers: the check at start, the sleep to the next one,
// the metered skip, and the interval counted from the attempt (so a restart does not check again).

const H = 3600 * 1000;
let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-os-timer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function harness(opts: { metered?: boolean; settings?: Partial<Settings>; store?: OsStateStore } = {}) {
  let now = new Date('2026-11-25T00:00:00Z').getTime();
  const store = opts.store ?? new OsStateStore(join(dir, `s-${++n}`));
  const checks: number[] = [];
  const sleeps: number[] = [];
  let wake: (() => void) | undefined;
  let meteredAsked = 0;
  const timer = startOsCheckTimer({
    now: () => new Date(now),
    store,
    settings: async () => ({ ...opts.settings }),
    metered: async () => {
      meteredAsked++;
      return opts.metered ?? false;
    },
    runCheck: async () => {
      checks.push(now);
    },
    sleep: (ms, then) => {
      sleeps.push(ms);
      wake = then;
      return () => (wake = undefined);
    },
  });
  return {
    timer,
    store,
    checks,
    sleeps,
    advance: (ms: number) => (now += ms),
    wake: () => wake?.(),
    meteredAsked: () => meteredAsked,
  };
}

describe('background OS check timer', () => {
  it('checks at start, records the attempt, and sleeps (at most an hour at a time) until the next', async () => {
    const h = harness();
    await h.timer.tick();
    expect(h.checks).toHaveLength(1);
    expect((await h.store.load()).lastAttemptAt).toBe('2026-11-25T00:00:00.000Z');
    expect(h.sleeps).toEqual([H]);
    // Hour by hour nothing happens; at 6 h the next check.
    for (let i = 0; i < 5; i++) {
      h.advance(H);
      h.wake();
      await h.timer.tick();
    }
    expect(h.checks).toHaveLength(1);
    h.advance(H);
    await h.timer.tick();
    expect(h.checks).toHaveLength(2);
    h.timer.stop();
  });

  it('does not check again after a restart within the interval (the attempt is on disk)', async () => {
    const first = harness();
    await first.timer.tick();
    first.timer.stop();
    const again = harness({ store: first.store });
    again.advance(2 * H);
    await again.timer.tick();
    expect(again.checks).toHaveLength(0);
    again.timer.stop();
  });

  it('skips a due check on a metered network and tries again in 30 min; the setting overrides', async () => {
    const h = harness({ metered: true });
    await h.timer.tick();
    expect(h.checks).toHaveLength(0);
    expect(h.sleeps).toEqual([30 * 60 * 1000]);
    expect((await h.store.load()).lastAttemptAt).toBeUndefined();
    h.timer.stop();
    const forced = harness({ metered: true, settings: { osCheckOnMetered: true } });
    await forced.timer.tick();
    expect(forced.checks).toHaveLength(1);
    expect(forced.meteredAsked()).toBe(0);
    forced.timer.stop();
  });

  it('asks the network only when a check is due', async () => {
    const h = harness();
    await h.timer.tick();
    const asked = h.meteredAsked();
    h.advance(H);
    await h.timer.tick();
    expect(h.meteredAsked()).toBe(asked);
    h.timer.stop();
  });

  it('runs one check at a time however often it is woken', async () => {
    const h = harness();
    await Promise.all([h.timer.tick(), h.timer.tick(), h.timer.tick()]);
    expect(h.checks).toHaveLength(1);
    h.timer.stop();
  });
});
