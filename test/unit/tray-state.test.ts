import { describe, expect, it } from 'vitest';
import { overdueNotice, trayStateFrom, updatesNotice } from '../../src/main/tray-state';
import type { OsBadge } from '../../src/shared/os/contract';
import { osStateWith, osUpdate } from '../helpers/os-state';

// The tray says only what is true: what needs the person (OS updates, the layers, running jobs), or nothing.

const badge = (b: Partial<OsBadge>): OsBadge => ({
  updates: 0,
  security: 0,
  rebootRequired: false,
  interrupted: false,
  checkOverdue: false,
  ...b,
});
const up = osUpdate;
const osState = osStateWith;

describe('tray state', () => {
  it('shows nothing when no job runs', () => {
    expect(trayStateFrom([])).toEqual({ badge: 0, tooltip: 'Kintsugi Updater', menuLabel: 'Open' });
  });

  it("counts running jobs and puts the first one's progress in the tooltip", () => {
    const s = trayStateFrom([
      {
        title: 'Flash a drive',
        last: { kind: 'flash', phase: 'write', bytes: 1024 ** 3, total: 4 * 1024 ** 3 },
      },
      { title: 'Check an image' },
    ]);
    expect(s.badge).toBe(2);
    expect(s.tooltip).toBe('Kintsugi Updater: Flash a drive — write 25% of 4.0 GiB (+1 more)');
    expect(s.menuLabel).toBe('Open (2 jobs running)');
    expect(
      trayStateFrom([{ title: 'Back up a persistence store', last: { kind: 'backup', phase: 'verify' } }])
        .tooltip,
    ).toBe('Kintsugi Updater: Back up a persistence store — verify');
  });

  it('counts OS updates, an interrupted update, the layers and running jobs in one badge', () => {
    // Mutations caught: leaving any one source out of the sum, counting security updates twice.
    const s = trayStateFrom([{ title: 'Pull a model' }], {
      os: badge({ updates: 3, security: 1, interrupted: true }),
      layers: [
        { layer: 'models', count: 2, text: '2 recommended models to pull' },
        { layer: 'repo', count: 1, text: 'docs & scripts 4 commits behind' },
        { layer: 'frameworks', count: 0, text: 'ignored: nothing to do' },
      ],
    });
    expect(s.badge).toBe(3 + 1 + 2 + 1 + 1);
    expect(s.tooltip).toBe(
      'Kintsugi Updater: 3 updates (1 security); an OS update was interrupted: repair it; 2 recommended models to pull; docs & scripts 4 commits behind; Pull a model',
    );
    expect(s.menuLabel).toBe('Open (1 job running)');
  });

  it('says "N updates (M security)", and nothing when there is nothing', () => {
    expect(trayStateFrom([], { os: badge({ updates: 1, security: 0 }) }).tooltip).toBe(
      'Kintsugi Updater: 1 update (0 security)',
    );
    expect(trayStateFrom([], { os: badge({}), layers: [] })).toEqual({
      badge: 0,
      tooltip: 'Kintsugi Updater',
      menuLabel: 'Open',
    });
  });

  it('warns in the tooltip after a week without a successful check, and asks for a restart; neither is counted', () => {
    const s = trayStateFrom([], { os: badge({ checkOverdue: true, rebootRequired: true }) });
    expect(s.badge).toBe(0);
    expect(s.tooltip).toBe(
      'Kintsugi Updater: restart to finish the OS update; no OS check has succeeded for 7 days',
    );
  });

  it('announces a set of updates once, and a new set again (not each check)', () => {
    // Mutations caught: notifying per check (ignoring the key), keying by count instead of the set.
    const first = updatesNotice(osState([up('openssl', '3.0.15', true), up('tzdata', '2026b')]), undefined);
    expect(first).toMatchObject({ title: '2 OS updates available' });
    expect(first!.body).toContain('(1 security)');
    // The same set, listed in another order by a later check: nothing new.
    expect(updatesNotice(osState([up('tzdata', '2026b'), up('openssl', '3.0.15', true)]), first!.key)).toBe(
      undefined,
    );
    // Same count, a newer version of one: a new set.
    expect(
      updatesNotice(osState([up('openssl', '3.0.16', true), up('tzdata', '2026b')]), first!.key),
    ).toBeDefined();
    expect(updatesNotice(osState([]), undefined)).toBeUndefined();
    expect(updatesNotice(undefined, undefined)).toBeUndefined();
  });

  it('warns of a week without a check once per stretch', () => {
    const since = '2026-11-01T00:00:00.000Z';
    const n = overdueNotice(badge({ checkOverdue: true }), since, undefined);
    expect(n?.title).toBe('OS updates not checked for a week');
    expect(overdueNotice(badge({ checkOverdue: true }), since, n!.key)).toBeUndefined();
    expect(overdueNotice(badge({ checkOverdue: true }), '2026-11-10T00:00:00.000Z', n!.key)).toBeDefined();
    expect(overdueNotice(badge({ checkOverdue: false }), since, undefined)).toBeUndefined();
  });
});
