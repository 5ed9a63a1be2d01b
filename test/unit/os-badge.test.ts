import { describe, expect, it } from 'vitest';
import { checkOverdue, osBadge, updateSetKey } from '../../src/shared/os/badge';
import { osStateWith, osUpdate } from '../helpers/os-state';

// The numbers the tray, the home card and the page header share.

const u = osUpdate;
const state = osStateWith;
const now = new Date('2026-11-25T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600 * 1000).toISOString();

describe('OS badge', () => {
  it('counts updates and security updates; reboot and interrupted come from the state', () => {
    const b = osBadge(
      {
        state: state([u('systemd', '2', true), u('bash', '5'), u('openssl', '3', true)], {
          reboot: { required: true, why: ['linux-image'] },
          interrupted: { detail: 'dpkg was interrupted', fix: 'repair' },
        }),
        lastSuccessAt: daysAgo(1),
      },
      now,
    );
    expect(b).toEqual({
      updates: 3,
      security: 2,
      rebootRequired: true,
      interrupted: true,
      checkOverdue: false,
    });
    expect(osBadge({}, now)).toEqual({
      updates: 0,
      security: 0,
      rebootRequired: false,
      interrupted: false,
      checkOverdue: false,
    });
  });

  it('is overdue when no check succeeded for 7 days, counted from the first attempt before any success', () => {
    expect(checkOverdue({ lastSuccessAt: daysAgo(6.9) }, now)).toBe(false);
    expect(checkOverdue({ lastSuccessAt: daysAgo(7) }, now)).toBe(true);
    // A recent failure does not reset the clock: success is what counts.
    expect(
      checkOverdue(
        { lastSuccessAt: daysAgo(8), lastCheck: { at: daysAgo(0), ok: false, by: 'background' } },
        now,
      ),
    ).toBe(true);
    // Never succeeded: a week after the first recorded attempt, never on first start.
    expect(checkOverdue({ lastCheck: { at: daysAgo(7.5), ok: false, by: 'background' } }, now)).toBe(true);
    expect(checkOverdue({ lastCheck: { at: daysAgo(1), ok: false, by: 'background' } }, now)).toBe(false);
    expect(checkOverdue({}, now)).toBe(false);
  });

  it('keys a set of updates by name and target version, in any order', () => {
    const a = updateSetKey([u('systemd', '2'), u('bash', '5')]);
    expect(updateSetKey([u('bash', '5'), u('systemd', '2')])).toBe(a);
    expect(updateSetKey([u('bash', '5'), u('systemd', '3')])).not.toBe(a);
    expect(updateSetKey([u('bash', '5')])).not.toBe(a);
    expect(updateSetKey([])).toBe('');
    // A removal is its own entry: the same name removed is not the same set as it upgraded.
    expect(updateSetKey([{ name: 'bash' }])).not.toBe(updateSetKey([u('bash', '5')]));
    expect(updateSetKey([{ name: 'bash' }, u('systemd', '2')])).toBe(
      updateSetKey([u('systemd', '2'), { name: 'bash' }]),
    );
  });
});
