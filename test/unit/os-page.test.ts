import { describe, expect, it } from 'vitest';
import { describeProgress } from '../../src/renderer/shared/progress-text';
import {
  countText,
  osActions,
  totalDownload,
  updateLine,
  updateLines,
} from '../../src/renderer/features/os/summary';
import type { OsOverview } from '../../src/shared/os/contract';
import type { OsDeployment, OsState, OsUpdate } from '../../src/shared/os/model';

// The OS page's pure parts: the update list as printed, which actions it offers, its progress in words. The home
// card's sentence is src/shared/os/glance.ts (test/unit/os-glance.test.ts).

const upd = (name: string, extra: Partial<OsUpdate> = {}): OsUpdate => ({
  name,
  from: '1.0',
  to: '1.1',
  security: false,
  kind: 'userspace',
  ...extra,
});
const dep = (index: number, extra: Partial<OsDeployment> = {}): OsDeployment => ({
  index,
  osName: 'testos',
  checksum: `${index}`.repeat(64),
  booted: false,
  staged: false,
  pinned: false,
  rollbackTarget: false,
  ...extra,
});
const state = (extra: Partial<OsState> = {}): OsState => ({
  backend: 'ostree',
  release: { prettyName: 'TestOS 42.1' },
  currentVersion: '42.1',
  updates: [],
  notOsUpdates: [],
  deployments: [dep(0)],
  reboot: { required: false, why: [] },
  ...extra,
});
const overview = (s: OsState | undefined, extra: Partial<OsOverview> = {}): OsOverview => ({
  ...(s ? { state: s } : {}),
  badge: {
    updates: s?.updates.length ?? 0,
    security: s?.updates.filter((u) => u.security).length ?? 0,
    rebootRequired: s?.reboot.required ?? false,
    interrupted: s?.interrupted !== undefined,
    checkOverdue: false,
  },
  backend: { name: s?.backend ?? 'ostree', how: 'detected', why: 'test' },
  target: { root: '/', sysroot: '/' },
  schedule: { intervalHours: 6, onMetered: false },
  ...extra,
});

describe('the update list', () => {
  it('says old → new, new: for a package the update installs, and the size or a dash', () => {
    expect(updateLine(upd('systemd', { downloadBytes: 2 * 1024 * 1024 }))).toMatchObject({
      change: '1.0 → 1.1',
      size: '2.0 MiB',
    });
    const fresh = upd('linux-image-6.2', { kind: 'kernel' });
    delete fresh.from;
    expect(updateLine(fresh)).toMatchObject({ change: 'new: 1.1', size: '—', kind: 'kernel' });
  });

  it('a package the update removes (rpm-ostree) says so, with the version it takes away', () => {
    const gone = upd('oldtool', { kind: 'image' });
    delete gone.to;
    expect(updateLine(gone).change).toBe('removed: 1.0');
  });

  it('an image update without a from label shows the short commit it replaces', () => {
    const u = upd('testos:stable', { kind: 'image', fromChecksum: 'abcdef0123456789', to: '42.2' });
    delete u.from;
    expect(updateLine(u).change).toBe('abcdef0123 → 42.2');
  });

  it('lists security updates first, then by name', () => {
    const lines = updateLines([upd('zlib'), upd('bash'), upd('openssl', { security: true })]);
    expect(lines.map((l) => l.name)).toEqual(['openssl', 'bash', 'zlib']);
  });

  it('sums the download only when every size is known', () => {
    expect(totalDownload([upd('a', { downloadBytes: 10 }), upd('b', { downloadBytes: 5 })])).toBe(15);
    expect(totalDownload([upd('a', { downloadBytes: 10 }), upd('b')])).toBeUndefined();
    expect(totalDownload([])).toBeUndefined();
  });

  it('counts with the security share', () => {
    expect(countText(0, 0)).toBe('No updates');
    expect(countText(1, 0)).toBe('1 update');
    expect(countText(3, 1)).toBe('3 updates (1 security)');
  });
});

describe('which actions the page offers', () => {
  it('nothing known yet: no action but Check (before the overview, not even that)', () => {
    expect(osActions(undefined, false)).toMatchObject({ check: false, apply: false, primary: 'check' });
    expect(osActions(overview(undefined), false)).toMatchObject({
      check: true,
      apply: false,
      rollback: false,
      pin: false,
      repair: false,
      primary: 'check',
    });
  });

  it('updates: Apply is offered and primary; while any OS job runs, nothing is', () => {
    const o = overview(state({ updates: [upd('testos:stable', { kind: 'image' })] }));
    expect(osActions(o, false)).toMatchObject({ check: true, apply: true, primary: 'apply' });
    expect(osActions(o, true)).toMatchObject({ check: false, apply: false, pin: false, rollback: false });
  });

  it('rollback only with a rollback target; pin only for image backends', () => {
    expect(osActions(overview(state()), false)).toMatchObject({ rollback: false, pin: true });
    const two = state({ deployments: [dep(0), dep(1, { rollbackTarget: true })] });
    expect(osActions(overview(two), false).rollback).toBe(true);
    const apt = state({ backend: 'apt', deployments: [dep(0, { rollbackTarget: true })] });
    expect(osActions(overview(apt), false)).toMatchObject({ rollback: false, pin: false });
  });

  it('an interrupted apply holds Apply and makes Repair the primary action', () => {
    const s = state({
      backend: 'apt',
      updates: [upd('systemd')],
      interrupted: { detail: 'dpkg was interrupted', fix: 'dpkg --configure -a' },
    });
    expect(osActions(overview(s), false)).toMatchObject({ apply: false, repair: true, primary: 'repair' });
  });
});

describe('OS job progress in words', () => {
  it('names the apply phases and counts packages', () => {
    expect(describeProgress({ kind: 'os', phase: 'kernel', items: 1, itemsTotal: 3 })).toMatchObject({
      label: 'Installing the kernel',
      line: '1 of 3 packages',
    });
    expect(describeProgress({ kind: 'os', phase: 'deploy', message: 'deploying 42.2' }).label).toBe(
      'Deploying',
    );
    expect(describeProgress({ kind: 'os', phase: 'userspace' }).label).toBe('Installing userspace packages');
    expect(describeProgress({ kind: 'os', phase: 'hooks' }).label).toBe('Running the boot hooks');
  });
});
