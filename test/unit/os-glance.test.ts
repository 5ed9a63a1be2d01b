import { describe, expect, it } from 'vitest';
import type { OsBadge, OsOverview } from '../../src/shared/os/contract';
import { osGlance } from '../../src/shared/os/glance';
import type { OsState } from '../../src/shared/os/model';

// The home card's sentence from os.overview(), in the order that matters to the person: a broken update first,
// then updates, a pending restart, a week without a check, never checked, a failed check, up to date.

const badge = (b: Partial<OsBadge> = {}): OsBadge => ({
  updates: 0,
  security: 0,
  rebootRequired: false,
  interrupted: false,
  checkOverdue: false,
  ...b,
});
const state = { release: { prettyName: 'Debian 12' }, currentVersion: '12.8' } as OsState;
const ov = (o: Partial<OsOverview>): OsOverview => ({
  badge: badge(),
  target: { root: '/', sysroot: '/' },
  schedule: { intervalHours: 6, onMetered: false },
  ...o,
});
const ok = {
  lastSuccessAt: '2026-11-25T00:00:00Z',
  lastCheck: { at: '2026-11-25T00:00:00Z', ok: true, by: 'user' as const },
};
const failed = {
  lastCheck: {
    at: '2026-11-25T01:00:00Z',
    ok: false,
    by: 'background' as const,
    error: { code: 'OS_SOURCES_UNREACHABLE', message: 'A package source could not be reached.' },
  },
};

describe('OS home card', () => {
  it.each([
    [undefined, { text: 'Reading the system…', tone: 'muted' }],
    [
      ov({ backendProblem: '/x has neither a or b' }),
      { tone: 'warn', text: 'No OS update system found: /x has neither a or b.' },
    ],
    [ov({ ...ok, badge: badge({ interrupted: true, updates: 3 }) }), { tone: 'warn', action: 'Repair…' }],
    [
      ov({ ...ok, state, badge: badge({ updates: 3, security: 1 }) }),
      {
        tone: 'warn',
        text: '3 updates (1 security) for Debian 12.',
        action: 'Review and apply…',
        checkedAt: ok.lastSuccessAt,
      },
    ],
    [
      ov({ ...ok, badge: badge({ rebootRequired: true }) }),
      { tone: 'warn', text: 'Up to date; restart to finish the last update.' },
    ],
    [
      ov({ ...ok, ...failed, badge: badge({ checkOverdue: true }) }),
      { tone: 'warn', text: 'No check has succeeded for 7 days: A package source could not be reached.' },
    ],
    [ov({}), { tone: 'muted', text: 'Never checked for updates.', action: 'Check now…' }],
    [ov({ ...failed }), { tone: 'warn', text: 'The check failed: A package source could not be reached.' }],
    [
      ov({ ...ok, ...failed, lastSuccessAt: ok.lastSuccessAt }),
      { tone: 'warn', text: 'The last check failed: A package source could not be reached.' },
    ],
    [ov({ ...ok, state }), { tone: 'ok', text: 'Up to date: Debian 12 (12.8).', action: 'Check now…' }],
  ])('%#', (o, expected) => {
    expect(osGlance(o)).toMatchObject(expected);
  });
});
