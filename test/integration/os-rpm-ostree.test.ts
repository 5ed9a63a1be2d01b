import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRpmOstreeBackend, type RpmOstreeBackendDeps } from '../../src/main/core/os/rpm-ostree';
import { KintsugiError } from '../../src/shared/errors';
import { recordingContext } from '../helpers/ollama-context';
import {
  installRpmOstreeStandin,
  standinDeployment,
  type RpmOstreeStandin,
  type StandinState,
} from '../helpers/rpm-ostree-standin';

// The rpm-ostree backend against a STAND-IN for rpm-ostree (test/helpers/rpm-ostree-standin.ts): rpm-ostree is not
// packaged in Debian and needs its daemon and a booted system, so an executable of that name, first on PATH,
// answers with the JSON and exit codes of coreos/rpm-ostree v2026.2. What is tested is our side: the parse, the
// exit codes, the waits and the refusals.

const BOOTED = standinDeployment('b', { booted: true, version: '40.20240101.0' });
const OLDER = standinDeployment('c', { version: '40.20231201.0' });
const NEXT = 'd'.repeat(64);

/** A cached update as the daemon computes it: a new base commit, its rpm-diff and one security advisory. */
const CACHED = {
  osname: 'fedora',
  checksum: NEXT,
  version: '40.20240115.0',
  origin: 'fedora:fedora/40/x86_64/silverblue',
  timestamp: 1_705_000_000,
  'ref-has-new-commit': true,
  'rpm-diff': {
    upgraded: [
      [0, 'kernel', ['6.8.1-300.fc40', 'x86_64'], ['6.8.2-300.fc40', 'x86_64']],
      [0, 'openssl-libs', ['1:3.1.1-1.fc40', 'x86_64'], ['1:3.1.2-1.fc40', 'x86_64']],
    ],
    downgraded: [],
    removed: [[0, 'oldtool', '1.0-1.fc40', 'noarch']],
    added: [[0, 'newtool', '2.0-1.fc40', 'noarch']],
  },
  advisories: [
    ['FEDORA-2024-5ec', 1, 3, ['openssl-libs-1:3.1.2-1.fc40.x86_64'], { cve_references: [] }],
    // A bugfix advisory (kind 2) is not a security flag, even on the kernel.
    ['FEDORA-2024-b09', 2, 0, ['kernel-6.8.2-300.fc40.x86_64'], {}],
  ],
  'update-sha256': BOOTED.checksum,
};

function state(over: Partial<StandinState> = {}): StandinState {
  return {
    deployments: [BOOTED, OLDER],
    transaction: null,
    endsAfterPolls: null,
    'cached-update': null,
    ...over,
  };
}

let standin: RpmOstreeStandin | undefined;
let sysroot: string;

beforeEach(async () => {
  sysroot = await mkdtemp(join(tmpdir(), 'kintsugi-rpm-ostree-sysroot-'));
  await mkdir(join(sysroot, 'etc'));
  await writeFile(
    join(sysroot, 'etc', 'os-release'),
    'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\nPRETTY_NAME="Fedora Linux 40 (Silverblue)"\n',
  );
});
afterEach(async () => {
  await standin?.cleanup();
  standin = undefined;
  await rm(sysroot, { recursive: true, force: true });
});

function backend(deps: RpmOstreeBackendDeps = {}, osName?: string) {
  return createRpmOstreeBackend(
    { root: '/', sysroot, ...(osName ? { osName } : {}), lockTimeoutSeconds: 1, stateDir: sysroot },
    { pollMs: 20, ...deps },
  );
}

async function failure(p: Promise<unknown>): Promise<KintsugiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KintsugiError);
  return err as KintsugiError;
}

describe('rpm-ostree backend (stand-in): status and check', () => {
  it('status maps the deployments and the cached update, with the security flag from the advisory, stale', async () => {
    standin = await installRpmOstreeStandin(state({ 'cached-update': CACHED }));
    const s = await backend().status(recordingContext());
    expect(s.backend).toBe('rpm-ostree');
    expect(s.deployments.map((d) => [d.index, d.version, d.booted, d.rollbackTarget])).toEqual([
      [0, '40.20240101.0', true, false],
      [1, '40.20231201.0', false, true],
    ]);
    expect(s.currentVersion).toBe('40.20240101.0');
    expect(s.release).toMatchObject({ id: 'fedora', prettyName: 'Fedora Linux 40 (Silverblue)' });
    expect(s.updates).toEqual([
      { name: 'kernel', from: '6.8.1-300.fc40', to: '6.8.2-300.fc40', kind: 'image', security: false },
      {
        name: 'openssl-libs',
        from: '1:3.1.1-1.fc40',
        to: '1:3.1.2-1.fc40',
        kind: 'image',
        security: true,
        source: 'FEDORA-2024-5ec',
      },
      { name: 'newtool', to: '2.0-1.fc40', kind: 'image', security: false },
      // Removed by the new deployment: what it had, nothing it brings.
      { name: 'oldtool', from: '1.0-1.fc40', kind: 'image', security: false },
    ]);
    expect(s.stale).toBe(true);
    expect(s.reboot.required).toBe(false);
    expect(s.transaction).toBeUndefined();
  });

  it('check: exit 77 is "no update"; exit 0 reads the cached update; both say stale', async () => {
    standin = await installRpmOstreeStandin(state());
    const none = await backend().check(recordingContext());
    expect(none.updates).toEqual([]);
    expect(none.stale).toBe(true);
    expect(none.checkedAt).toBeDefined();
    await standin.setState(state({ 'cached-update': CACHED }));
    const ctx = recordingContext();
    const some = await backend().check(ctx);
    expect(some.updates.filter((u) => u.security).map((u) => u.name)).toEqual(['openssl-libs']);
    expect(some.stale).toBe(true);
    expect(ctx.events.map((e) => e.phase)).toEqual(['refresh', 'check']);
    expect((await standin.calls()).filter((c) => c[0] === 'upgrade')).toEqual([
      ['upgrade', '--check', `--sysroot=${sysroot}`],
      ['upgrade', '--check', `--sysroot=${sysroot}`],
    ]);
  });

  it('a new base commit without an rpm-diff is one image update, flagged by any security advisory', async () => {
    const { 'rpm-diff': _diff, ...noDiff } = CACHED;
    standin = await installRpmOstreeStandin(state({ 'cached-update': noDiff }));
    const s = await backend().status(recordingContext());
    expect(s.updates).toEqual([
      {
        name: 'fedora:fedora/40/x86_64/silverblue',
        from: '40.20240101.0',
        to: '40.20240115.0',
        fromChecksum: BOOTED.checksum,
        toChecksum: NEXT,
        kind: 'image',
        security: true,
        source: 'FEDORA-2024-5ec',
      },
    ]);
  });

  it('refuses an unknown stateroot, and output that is not the documented JSON', async () => {
    standin = await installRpmOstreeStandin(state());
    expect((await failure(backend({}, 'rhel').status(recordingContext()))).code).toBe('OS_UNKNOWN_STATEROOT');
    await standin.setState({ ...state(), deployments: [{ osname: 5 }] } as unknown as StandinState);
    const err = await failure(backend().status(recordingContext()));
    expect(err.code).toBe('OS_RPM_OSTREE_OUTPUT_INVALID');
    expect(err.detail).toMatch(/deployments\.0\.osname/);
  });
});

describe('rpm-ostree backend (stand-in): upgrade, rollback, transactions', () => {
  it('apply stages the update: a new first deployment, staged, and a reboot is needed', async () => {
    standin = await installRpmOstreeStandin(state({ 'cached-update': CACHED }));
    const b = backend();
    const r = await b.apply(recordingContext());
    expect(r.applied.map((u) => u.name)).toEqual(['kernel', 'openssl-libs', 'newtool', 'oldtool']);
    expect(r.reboot.required).toBe(true);
    const s = await b.status(recordingContext());
    expect(s.deployments.map((d) => [d.checksum, d.staged, d.booted])).toEqual([
      [NEXT, true, false],
      [BOOTED.checksum, false, true],
      [OLDER.checksum, false, false],
    ]);
    // Nothing cached any more: a second apply changes nothing (exit 77 with --unchanged-exit-77).
    expect((await b.apply(recordingContext())).applied).toEqual([]);
  });

  it('rollback is refused in words while an update is staged, without asking rpm-ostree to try', async () => {
    standin = await installRpmOstreeStandin(
      state({ deployments: [standinDeployment('e', { staged: true, version: '41' }), BOOTED, OLDER] }),
    );
    const err = await failure(backend().rollback(recordingContext()));
    expect(err.code).toBe('OS_STAGED_BLOCKS_ROLLBACK');
    expect(err.detail).toMatch(/41 is staged/);
    expect(err.hint).toMatch(/rpm-ostree cleanup -p/);
    expect((await standin.calls()).map((c) => c[0])).not.toContain('rollback');
  });

  it('rollback makes the older deployment the default; one deployment alone is refused', async () => {
    standin = await installRpmOstreeStandin(state());
    const ctx = recordingContext();
    const r = await backend().rollback(ctx);
    expect(r.actions[0]).toMatch(/^40\.20231201\.0 is now the default/);
    expect(r.reboot.required).toBe(true);
    expect(ctx.events.map((e) => e.phase)).toEqual(['rollback']);
    expect((await standin.state()).deployments.map((d) => d.checksum)).toEqual([
      OLDER.checksum,
      BOOTED.checksum,
    ]);
    await standin.setState(state({ deployments: [BOOTED] }));
    expect((await failure(backend().rollback(recordingContext()))).code).toBe('OS_NO_ROLLBACK_TARGET');
  });

  it('waits for an active transaction to end, reporting phase wait, then checks', async () => {
    standin = await installRpmOstreeStandin(
      state({
        transaction: ['AutomaticUpdateTrigger', ':1.42', '/org/projectatomic/rpmostree1/fedora'],
        endsAfterPolls: 3,
      }),
    );
    const ctx = recordingContext();
    const s = await backend().check(ctx);
    expect(s.updates).toEqual([]);
    const waits = ctx.events.filter((e) => e.phase === 'wait');
    expect(waits.length).toBe(3);
    expect(waits[0]!.message).toMatch(/AutomaticUpdateTrigger \(started by :1\.42\)/);
    // The check ran only after the transaction was gone: the daemon was never asked while busy.
    const verbs = (await standin.calls()).map((c) => c[0]);
    expect(verbs.indexOf('upgrade')).toBe(4);
  });

  it('status shows the running transaction; a wait gives up after its bound, and a cancel stops it', async () => {
    standin = await installRpmOstreeStandin(
      state({ transaction: ['Upgrade', ':1.7', '/x'], endsAfterPolls: null }),
    );
    expect((await backend().status(recordingContext())).transaction).toEqual({
      title: 'Upgrade',
      initiator: ':1.7',
    });
    const err = await failure(backend({ maxWaitMs: 150 }).apply(recordingContext()));
    expect(err.code).toBe('OS_TRANSACTION_ACTIVE');
    expect(err.detail).toMatch(/still running Upgrade \(started by :1\.7\)/);
    const ctx = recordingContext((p) => {
      if (p.phase === 'wait') ctx.controller.abort();
    });
    const started = Date.now();
    const cancelled = await failure(backend({ pollMs: 60_000 }).rollback(ctx));
    expect(cancelled.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await standin.calls()).map((c) => c[0])).not.toContain('rollback');
  });

  it('when another client starts a transaction between our wait and our verb, it waits again and retries once', async () => {
    standin = await installRpmOstreeStandin(
      state({ 'cached-update': CACHED, raceOnNextVerb: ['Rebase', ':1.9', '/y'] }),
    );
    const ctx = recordingContext();
    const r = await backend().apply(ctx);
    expect(r.applied).toHaveLength(4);
    expect(ctx.events.filter((e) => e.phase === 'wait').map((e) => e.message)).toEqual([
      'waiting for rpm-ostree to finish Rebase (started by :1.9)',
    ]);
    expect((await standin.calls()).filter((c) => c[0] === 'upgrade')).toHaveLength(2);
  });

  it('pin refuses a deployment number that does not exist', async () => {
    standin = await installRpmOstreeStandin(state());
    expect((await failure(backend().pin(recordingContext(), 2, true))).code).toBe('OS_DEPLOYMENT_NOT_FOUND');
  });
});
