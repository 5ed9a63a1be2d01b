import { describe, expect, it } from 'vitest';
import { heartbeatText, hostButtons, type KernelAction } from '../../src/shared/kernel/page-rules';
import type { KernelStatus } from '../../src/shared/kernel/contract';
import { orderedIncludes } from '../../src/shared/kernel/order';

// The kernel page's pure readings: which buttons a host offers, which is primary, the heartbeat line, and the
// include order the manifest summary shows.

const none = new Set<KernelAction>();
const st = (state: KernelStatus['state'], overdue = false) => ({ state, overdue });

describe('kernel page buttons', () => {
  it('nothing starts while a job of the host runs', () => {
    // Mutation caught: ignoring `running` for any one button.
    const b = hostButtons(st('pending-heartbeat'), true, none);
    expect([b.promote, b.build, b.install, b.rollback]).toEqual([false, false, false, false]);
  });

  it('rollback only when an install is recorded and not rolled back', () => {
    // Mutation caught: offering rollback with no record (or after one), or refusing it while pending.
    expect(hostButtons(st('not-installed'), false, none).rollback).toBe(false);
    expect(hostButtons(st('rolled-back'), false, none).rollback).toBe(false);
    for (const s of ['installed', 'pending-heartbeat', 'confirmed'] as const)
      expect(hostButtons(st(s), false, none).rollback).toBe(true);
  });

  it('install waits for the status to be read', () => {
    // Mutation caught: installing over a record the page has not seen.
    expect(hostButtons(undefined, false, none).install).toBe(false);
    expect(hostButtons(st('not-installed'), false, none).install).toBe(true);
  });

  it('the primary action follows the pipeline, and an overdue heartbeat makes it rollback', () => {
    // Mutations caught: a fixed primary; the overdue case not taking precedence.
    expect(hostButtons(st('not-installed'), false, none).primary).toBe('promote');
    expect(hostButtons(st('not-installed'), false, new Set(['promote'])).primary).toBe('build');
    expect(hostButtons(st('confirmed'), false, new Set(['promote', 'build'])).primary).toBe('install');
    expect(hostButtons(st('pending-heartbeat', true), false, new Set(['build'])).primary).toBe('rollback');
  });
});

describe('heartbeat line', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('pending: the deadline and the minutes left', () => {
    expect(
      heartbeatText(
        { state: 'pending-heartbeat', overdue: false, deadline: '2026-01-01T12:07:00.000Z' },
        now,
      ),
    ).toBe('Waiting for the heartbeat: due by 2026-01-01T12:07:00.000Z (in 7 min)');
  });
  it('overdue: says so and by how much', () => {
    // Mutation caught: treating overdue like pending (the line that tells the person to act).
    const t = heartbeatText(
      { state: 'pending-heartbeat', overdue: true, deadline: '2026-01-01T11:50:00.000Z' },
      now,
    );
    expect(t).toMatch(/^Heartbeat overdue by 10 min/);
  });
  it('the other states in words, no deadline', () => {
    expect(heartbeatText({ state: 'confirmed', overdue: false }, now)).toBe(
      'Confirmed: the new kernel booted',
    );
    expect(heartbeatText({ state: 'rolled-back', overdue: false }, now)).toBe('Rolled back');
  });
});

describe('include order', () => {
  it('scope rank in apply_order first, then series name byte order', () => {
    // Mutation caught: listing includes as written, or sorting by locale ("_" before "-" under some locales).
    const m = {
      includes: ['driver/b_x', 'soc/z', 'driver/b-x', 'board/a'],
      apply_order: ['soc', 'driver', 'board'] as ('soc' | 'driver' | 'board')[],
    };
    expect(orderedIncludes(m as never).map((i) => `${i.scope}/${i.series}`)).toEqual([
      'soc/z',
      'driver/b-x',
      'driver/b_x',
      'board/a',
    ]);
  });
});
