import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OsBackend, OsBackendOptions } from '../../src/main/core/os/backend';
import type { OsBackendFactories } from '../../src/main/core/os/backends';
import { KintsugiError } from '../../src/shared/errors';
import type { OsBackendName, OsDeployment, OsState, OsUpdate } from '../../src/shared/os/model';

// A stand-in OS backend for the plumbing's tests (CLI, jobs, handlers) until the real ones land: its whole
// "system" is one JSON file in the root it is given, so every instance (a new one per job) sees the same state,
// and a test can read what an apply or a pin did. It records the options each instance was built with.

export interface FakeSystem {
  /** Available now (what a check finds). */
  available: OsUpdate[];
  /** What the last check listed; status answers this ("as last checked"). */
  listed: OsUpdate[];
  installed: Record<string, string>;
  deployments: OsDeployment[];
  interrupted?: boolean;
  checkedAt?: string;
  /** The next check fails with this code. */
  failCheck?: 'NETWORK_METERED' | 'INTERNAL';
}

const file = (root: string) => join(root, 'fake-os.json');
export const readFakeSystem = (root: string): FakeSystem => JSON.parse(readFileSync(file(root), 'utf8'));
export const writeFakeSystem = (root: string, s: FakeSystem) => writeFileSync(file(root), JSON.stringify(s));

export function fakeOsBackends(built: OsBackendOptions[] = []): OsBackendFactories {
  const make =
    (name: OsBackendName) =>
    (opts: OsBackendOptions): OsBackend => {
      built.push(opts);
      const load = () => readFakeSystem(opts.root);
      const state = (s: FakeSystem): OsState => ({
        backend: name,
        release: { id: 'fake', prettyName: 'Fake OS 1' },
        currentVersion: s.installed['fake-kernel'] ?? '1',
        updates: s.listed,
        notOsUpdates: [],
        deployments: s.deployments,
        reboot: { required: false, why: [] },
        ...(s.interrupted
          ? { interrupted: { detail: 'dpkg was interrupted', fix: 'kintsugi os repair' } }
          : {}),
        ...(s.checkedAt ? { checkedAt: s.checkedAt } : {}),
      });
      return {
        name,
        status: async () => state(load()),
        async check(ctx) {
          const s = load();
          ctx.progress({ kind: 'os', phase: 'refresh' });
          if (s.failCheck) throw new KintsugiError(s.failCheck, 'the fake check was told to fail');
          const next = { ...s, listed: s.available, checkedAt: new Date().toISOString() };
          writeFakeSystem(opts.root, next);
          return state(next);
        },
        async apply(ctx) {
          const s = load();
          ctx.log(`applying ${s.available.length}`);
          for (const u of s.available)
            if (u.to === undefined) delete s.installed[u.name];
            else s.installed[u.name] = u.to;
          const applied = s.available;
          writeFakeSystem(opts.root, { ...s, available: [], listed: [] });
          return { backend: name, applied, hooks: [], reboot: { required: true, why: ['fake-kernel'] } };
        },
        async rollback() {
          return {
            backend: name,
            actions: ['nothing to undo'],
            caveats: [],
            reboot: { required: false, why: [] },
          };
        },
        async pin(_ctx, index, pinned) {
          const s = load();
          const d = s.deployments.find((x) => x.index === index);
          if (!d) throw new KintsugiError('INVALID_ARGUMENT', `no deployment ${index}`);
          d.pinned = pinned;
          writeFakeSystem(opts.root, s);
          return state(s);
        },
        ...(name === 'apt'
          ? {
              async repair() {
                const s = { ...load(), interrupted: false };
                writeFakeSystem(opts.root, s);
                return state(s);
              },
            }
          : {}),
      };
    };
  return { apt: make('apt'), ostree: make('ostree'), 'rpm-ostree': make('rpm-ostree') };
}

export const update = (name: string, from: string, to: string, security = false): OsUpdate => ({
  name,
  from,
  to,
  security,
  kind: 'userspace',
});
