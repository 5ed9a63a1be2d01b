import type { OsState, OsUpdate } from '../../src/shared/os/model';

// The OS model's shapes for the badge, tray and glance tests: an apt system with these updates and nothing else.

export const osUpdate = (name: string, to: string, security = false): OsUpdate => ({
  name,
  to,
  security,
  kind: 'userspace',
});

export const osStateWith = (updates: OsUpdate[], extra: Partial<OsState> = {}): OsState => ({
  backend: 'apt',
  release: { prettyName: 'Debian 12' },
  currentVersion: '12',
  updates,
  notOsUpdates: [],
  deployments: [],
  reboot: { required: false, why: [] },
  ...extra,
});
