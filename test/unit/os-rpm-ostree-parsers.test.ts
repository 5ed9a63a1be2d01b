import { describe, expect, it } from 'vitest';
import type { OsBackendFactory } from '../../src/main/core/os/backend';
import { createOstreeBackend } from '../../src/main/core/os/ostree';
import { createRpmOstreeBackend } from '../../src/main/core/os/rpm-ostree';
import { rpmOstreeFailure } from '../../src/main/core/os/rpm-ostree/run-rpm-ostree';
import { parseStatusJson } from '../../src/main/core/os/rpm-ostree/status-json';
import { rpmOstreeState } from '../../src/main/core/os/rpm-ostree/to-state';
import { nevraName } from '../../src/main/core/os/rpm-ostree/updates';

const dep = (c: string, over: Record<string, unknown> = {}) => ({
  osname: 'fedora',
  checksum: c.repeat(64),
  booted: false,
  staged: false,
  pinned: false,
  ...over,
});

describe('rpm-ostree parsers', () => {
  it('takes the package name out of a NEVRA, with or without an epoch', () => {
    expect(nevraName('kernel-core-6.8.2-300.fc40.x86_64')).toBe('kernel-core');
    expect(nevraName('openssl-libs-1:3.1.2-1.fc40.x86_64')).toBe('openssl-libs');
    expect(nevraName('python3-3.12.1-2.fc40.noarch')).toBe('python3');
  });

  it("turns rpm-ostree's own refusals into codes with a next step", () => {
    const code = (stderr: string) => rpmOstreeFailure(['x'], stderr).code;
    expect(
      code(
        'error: Transaction in progress: Upgrade\n You can cancel the current transaction with `rpm-ostree cancel`',
      ),
    ).toBe('OS_TRANSACTION_ACTIVE');
    expect(code('error: Staged deployment (remove with cleanup -p)')).toBe('OS_STAGED_BLOCKS_ROLLBACK');
    expect(code('error: No rollback deployment found')).toBe('OS_NO_ROLLBACK_TARGET');
    expect(code('error: Something else')).toBe('OS_RPM_OSTREE_FAILED');
    expect(rpmOstreeFailure(['upgrade'], 'error: Something else').detail).toBe(
      'rpm-ostree upgrade failed: Something else',
    );
  });

  it('keeps keys it does not know out of the way and refuses what is not the schema', () => {
    const s = parseStatusJson(
      JSON.stringify({
        deployments: [dep('a', { booted: true, 'requested-packages': ['vim'], unlocked: 'none' })],
        transaction: null,
        'cached-update': null,
        'update-driver': null,
      }),
    );
    expect(s.deployments[0]).toMatchObject({ osname: 'fedora', booted: true });
    expect(() => parseStatusJson('not json')).toThrow(
      expect.objectContaining({ code: 'OS_RPM_OSTREE_OUTPUT_INVALID' }),
    );
    expect(() => parseStatusJson('{"deployments": {}}')).toThrow(
      expect.objectContaining({ code: 'OS_RPM_OSTREE_OUTPUT_INVALID' }),
    );
  });

  it('a pending (not staged) deployment needs a reboot, and rollback then targets the booted one', () => {
    const s = parseStatusJson(
      JSON.stringify({
        deployments: [dep('a', { version: '41' }), dep('b', { booted: true, version: '40' })],
      }),
    );
    const st = rpmOstreeState(s, undefined, { prettyName: 'x' });
    expect(st.reboot).toEqual({ required: true, why: ['41 is the default for the next boot'] });
    expect(st.deployments.map((d) => d.rollbackTarget)).toEqual([false, true]);
    expect(st.stale).toBeUndefined();
  });
});

describe('the factories', () => {
  it('both fit OsBackendFactory (a type check) and name their backend, running nothing until called', () => {
    const factories: OsBackendFactory[] = [createOstreeBackend, createRpmOstreeBackend];
    const opts = {
      root: '/',
      sysroot: '/nonexistent-sysroot',
      lockTimeoutSeconds: 1,
      stateDir: '/nonexistent',
    };
    expect(factories.map((f) => f(opts).name)).toEqual(['ostree', 'rpm-ostree']);
  });
});
