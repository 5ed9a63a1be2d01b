import { describe, expect, it } from 'vitest';
import { trayStateFrom } from '../../src/main/tray-state';

// The tray says only what is true: a job running (with its progress), or nothing at all.

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
});
