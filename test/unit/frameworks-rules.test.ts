import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { FrameworkEntry } from '../../src/shared/frameworks/entry';
import { jobRequest, jobsOnHost } from '../../src/shared/registry';
import { needsYes, requireConsent } from '../../src/main/core/frameworks/consent';
import { installRequest, uninstallRequest } from '../../src/main/core/frameworks/requests';
import { checkSystemInstall } from '../../src/main/core/frameworks/system-checks';
import { authorizeHelperJob } from '../../src/main/helper/authorize';

// The pure rules: who installs without a yes, which host a recipe's job goes to, and what the helper accepts.

const entry = (over: Partial<FrameworkEntry> = {}): FrameworkEntry => ({
  name: 'fw',
  status: 'recommended',
  recipe: { npm: 'fw-cli' },
  binary: 'fw',
  ...over,
});
const DEB = { url: 'https://example.com/fw.deb', sha256: 'a'.repeat(64), package: 'fw' };

describe('consent', () => {
  it('asks for a yes for evaluating entries and for every user entry, never for a recommended one', () => {
    expect(needsYes(entry(), 'recommended')).toBe(false);
    expect(needsYes(entry({ status: 'evaluating' }), 'recommended')).toBe(true);
    expect(needsYes(entry(), 'user')).toBe(true);
  });

  it('refuses without the yes, naming the entry and the flag; passes with it', () => {
    let err: unknown;
    try {
      requireConsent(entry({ status: 'evaluating' }), 'recommended', false);
    } catch (e) {
      err = e;
    }
    expect((err as KintsugiError).code).toBe('CONFIRMATION_REQUIRED');
    expect((err as KintsugiError).detail).toMatch(/fw is still being evaluated: .*install fw --yes/);
    expect(() => requireConsent(entry({ status: 'evaluating' }), 'recommended', true)).not.toThrow();
    expect(() => requireConsent(entry(), 'user', false)).toThrow(/explicit yes/);
  });
});

describe('job requests', () => {
  it('sends npm, pipx and vscode recipes to the utility host, apt and deb to the helper, all valid requests', () => {
    const cases: [FrameworkEntry, string][] = [
      [entry(), 'framework-install'],
      [entry({ recipe: { pipx: 'fw' } }), 'framework-install'],
      [entry({ recipe: { vscode: 'pub.fw' }, binary: undefined }), 'framework-install'],
      [entry({ recipe: { apt: 'fw' } }), 'framework-install-system'],
      [entry({ recipe: { deb: DEB } }), 'framework-install-system'],
    ];
    for (const [e, type] of cases) {
      const req = installRequest(e, '/home/u/.local', { allowMetered: false, meteredSetting: 'auto' });
      expect(req.type).toBe(type);
      expect(jobRequest.safeParse(req).success).toBe(true);
      // The prefix is a user setting: it never travels to root.
      expect('npmPrefix' in req.params).toBe(type === 'framework-install');
    }
    expect([...jobsOnHost('helper')].filter((t) => t.startsWith('framework'))).toEqual([
      'framework-install-system',
      'framework-uninstall-system',
    ]);
    expect([...jobsOnHost('utility')].filter((t) => t.startsWith('framework'))).toEqual([
      'framework-install',
      'framework-uninstall',
    ]);
  });

  it('uninstalls a system package by its package name only', () => {
    expect(uninstallRequest(entry({ recipe: { deb: DEB }, binary: 'fwb' }))).toEqual({
      type: 'framework-uninstall-system',
      params: { name: 'fw', package: 'fw', binary: 'fwb' },
    });
    expect(uninstallRequest(entry({ recipe: { apt: 'fw-pkg' } })).params).toMatchObject({
      package: 'fw-pkg',
    });
    expect(uninstallRequest(entry(), '/p')).toEqual({
      type: 'framework-uninstall',
      params: { name: 'fw', recipe: { npm: 'fw-cli' }, binary: 'fw', npmPrefix: '/p' },
    });
  });
});

describe('the helper re-checks every parameter itself', () => {
  it.each([
    [
      { name: 'fw', recipe: { apt: 'fw; rm -rf /' }, binary: 'fw' },
      /recipe\.apt: must be a Debian package name/,
    ],
    [{ name: '../fw', recipe: { apt: 'fw' }, binary: 'fw' }, /name: must be 1-64/],
    [{ name: 'fw', recipe: { npm: 'fw' }, binary: 'fw' }, /only apt and deb recipes run in the helper/],
    [{ name: 'fw', recipe: { deb: { ...DEB, url: 'http://example.com/x.deb' } }, binary: 'fw' }, /https/],
    [{ name: 'fw', recipe: { deb: { ...DEB, sha256: 'abc' } }, binary: 'fw' }, /64 lower-case hex/],
  ])('refuses %j even when it skipped the job schema', (params, why) => {
    expect(() => checkSystemInstall(params)).toThrow(KintsugiError);
    try {
      checkSystemInstall(params);
    } catch (e) {
      expect((e as KintsugiError).detail).toMatch(why);
    }
  });

  it('authorizes a valid system install as the canonical parsed job', async () => {
    const job = {
      type: 'framework-install-system' as const,
      params: {
        name: 'fw',
        recipe: { apt: 'fw' },
        binary: 'fw',
        allowMetered: false,
        meteredSetting: 'auto' as const,
      },
    };
    await expect(
      authorizeHelperJob(job, { uid: 1000, checkDrive: async (d) => ({ device: d }) }),
    ).resolves.toEqual(job);
  });
});
