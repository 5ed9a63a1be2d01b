import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOsCheckTimer } from '../../src/main/core/os/check-timer';
import { OsStateStore } from '../../src/main/core/os/state-store';
import { backgroundOsCheck } from '../../src/main/core/os/background-check';
import { recordOsJobs } from '../../src/main/core/os/record-jobs';
import { THIS_MACHINE } from '../../src/main/core/os/target';
import { JobRunner } from '../../src/main/core/jobs/job-runner';
import type { JobExecutor } from '../../src/main/core/jobs/executor';
import { defaultSettings, type Settings } from '../../src/shared/app/settings';
import { KintsugiError } from '../../src/shared/errors';
import { osStateWith } from '../helpers/os-state';

// The background check's loop on a fake clock and fake timers: the check at start, the sleep to the next one,
// the metered skip, and the interval counted from the attempt (so a restart does not check again); then what it
// costs over days as main wires it (below: one check per interval, no more).

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

// Issue 9 §5: the tray's background check costs no more than one check per interval. Main's wiring on a fake
// clock: the timer (check-timer.ts), the background check that starts the real os-check job on the job runner
// (background-check.ts, as the app runs it as root), and the recorder that writes the outcome (record-jobs.ts),
// over three days with the timer woken every 15 minutes (more often than it asks: main's own ticks, a resume from
// suspend). Each os-check job that reaches the executor is one check's cost; the test counts them and their times.

const START = Date.parse('2026-11-25T00:00:00Z');

interface Options {
  settings?: Partial<Settings>;
  /** Every check fails (apt's sources unreachable, say): the interval must hold all the same. */
  failing?: boolean;
  /** Fake time one check takes. */
  checkMs?: number;
  /** At these hours the person runs "check now" (its outcome recorded as the CLI's or the page's would be). */
  personChecksAt?: number[];
}

/** Runs main's background check on a fake clock for HOURS, waking it every 15 min; returns the hours of each run. */
async function checksOver(hours: number, o: Options = {}): Promise<number[]> {
  let now = START;
  const clock = () => new Date(now);
  const store = new OsStateStore(join(dir, `state-${++n}`));
  const runner = new JobRunner({ now: () => now });
  const stopRecording = recordOsJobs(runner, store, clock);
  const runs: number[] = [];
  const executor: JobExecutor = {
    async run(req) {
      if (req.type !== 'os-check') throw new Error(`unexpected job ${req.type}`);
      runs.push((now - START) / H);
      now += o.checkMs ?? 0;
      if (o.failing) throw new KintsugiError('OS_SOURCES_UNREACHABLE', 'no answer from the mirror');
      return osStateWith([]);
    },
  };
  const settings = async () => defaultSettings(o.settings);
  const timer = startOsCheckTimer({
    now: clock,
    store,
    settings,
    metered: async () => false,
    runCheck: backgroundOsCheck({
      runner,
      executor,
      settings,
      store,
      target: THIS_MACHINE,
      backends: {} as never, // privileged: the job runs on the executor, the backends are not opened here
      privileged: true,
    }),
    // The timer's own wake-ups are replaced by the test's every 15 min, which come at least as often.
    sleep: () => () => undefined,
  });
  const personAt = new Set((o.personChecksAt ?? []).map((h) => START + h * H));
  for (; now < START + hours * H; now += H / 4) {
    if (personAt.has(now)) await store.recordCheck({ at: clock().toISOString(), ok: true, by: 'user' });
    await timer.tick();
    await store.idle();
  }
  timer.stop();
  stopRecording();
  return runs;
}

describe('background OS check: one check per interval, no more', () => {
  it('three days at the default 6 h: 12 checks, 6 h apart, the first at start', async () => {
    expect(await checksOver(72)).toEqual([0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 60, 66]);
  });

  it('a check that fails every time is not retried before its interval is up', async () => {
    expect(await checksOver(24, { failing: true })).toEqual([0, 6, 12, 18]);
  });

  it('a slow check (20 min) does not start a second one while it runs, nor shift the count', async () => {
    const runs = await checksOver(24, { checkMs: H / 3 });
    expect(runs).toHaveLength(4);
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(6);
  });

  it("the person's own check counts: a check now at 9 h moves the next background one to 15 h", async () => {
    expect(await checksOver(24, { personChecksAt: [9] })).toEqual([0, 6, 15, 21]);
  });

  it('follows the interval setting: every 24 h is one check a day', async () => {
    expect(await checksOver(72, { settings: { osCheckIntervalHours: 24 } })).toEqual([0, 24, 48]);
  });
});
