import { describe, expect, it } from 'vitest';
import { parseAdminStatus, type StatusEntry } from '../../src/main/core/os/ostree/admin-status';
import { bootBytesNeeded, bootFilesOf, parseOstreeLs } from '../../src/main/core/os/ostree/boot-files';
import { parseGVariantString } from '../../src/main/core/os/ostree/gvariant-string';
import { parseOriginFile, splitRefspec } from '../../src/main/core/os/ostree/origin-file';
import { planRollback } from '../../src/main/core/os/ostree/rollback-plan';
import { rollbackTarget } from '../../src/main/core/os/ostree/rollback-target';
import { parseOsRelease } from '../../src/main/core/os/ostree/os-release-local';
import { rebootState } from '../../src/main/core/os/ostree/state';
import type { OstreeTarget } from '../../src/main/core/os/ostree/target';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

// `ostree admin status` of a booted system with a staged update and a pinned rollback, in ostree 2022.7's format
// (src/ostree/ot-admin-builtin-status.c), plus a line a newer ostree might add.
const BOOTED = `  fedora ${A}.0 (staged)
    Version: 39.2
    origin refspec: fedora:fedora/39/x86_64/silverblue
* fedora ${B}.1
    Version: 39.1
    Unlocked: none
    origin refspec: fedora:fedora/39/x86_64/silverblue
  fedora ${C}.0 (rollback)
    Version: 39.0
    Pinned: yes
    origin refspec: fedora:fedora/39/x86_64/silverblue
`;

describe('parseAdminStatus', () => {
  it('reads order, booted, staged, rollback, pinned, version and refspec', () => {
    const e = parseAdminStatus(BOOTED);
    expect(
      e.map((d) => [d.index, d.checksum[0], d.serial, d.booted, d.staged, d.rollback, d.pinned]),
    ).toEqual([
      [0, 'a', 0, false, true, false, false],
      [1, 'b', 1, true, false, false, false],
      [2, 'c', 0, false, false, true, true],
    ]);
    expect(e.map((d) => d.version)).toEqual(['39.2', '39.1', '39.0']);
    expect(e[1]!.refspec).toBe('fedora:fedora/39/x86_64/silverblue');
  });

  it('gives no deployments for an empty sysroot and ignores lines it does not know', () => {
    expect(parseAdminStatus('')).toEqual([]);
    expect(parseAdminStatus('No deployments.\n')).toEqual([]);
  });
});

describe('origin file, refspec, GVariant text', () => {
  it('reads refspec (or baserefspec) and the transient pin', () => {
    expect(parseOriginFile('[origin]\nrefspec=os:os/stable\n\n[libostree-transient]\npinned=true\n')).toEqual(
      {
        refspec: 'os:os/stable',
        pinned: true,
      },
    );
    expect(parseOriginFile('[origin]\nbaserefspec=fedora:f/39\npackages=vim;\n')).toEqual({
      refspec: 'fedora:f/39',
      pinned: false,
    });
    // A `pinned` key outside [libostree-transient] is not a pin.
    expect(parseOriginFile('[origin]\nrefspec=x\npinned=true\n').pinned).toBe(false);
  });

  it('splits remote:ref, and a local ref has no remote', () => {
    expect(splitRefspec('os:os/stable/x86_64')).toEqual({ remote: 'os', ref: 'os/stable/x86_64' });
    expect(splitRefspec('os/stable')).toEqual({ ref: 'os/stable' });
  });

  it('unquotes GVariant strings with escapes', () => {
    expect(parseGVariantString("'42.2'\n")).toBe('42.2');
    expect(parseGVariantString('"it\'s 1.0"')).toBe("it's 1.0");
    expect(parseGVariantString("'a\\\\b\\u00e9'")).toBe('a\\bé');
    expect(parseGVariantString('uint64 5')).toBe('uint64 5');
  });

  it('reads os-release with quotes', () => {
    expect(parseOsRelease('NAME="Test OS"\nVERSION="1 (x)"\nID=testos\nVERSION_ID=1\n')).toEqual({
      prettyName: 'Test OS 1 (x)',
      id: 'testos',
      versionId: '1',
    });
  });
});

describe('boot files and the /boot estimate', () => {
  const ls = (csumK: string, kSize: number) =>
    [
      `d00755 0 0      0 ${A} ${B} /usr/lib/modules`,
      `-00644 0 0 ${kSize} ${csumK} /usr/lib/modules/6.1.0/vmlinuz`,
      `-00644 0 0   2000 ${C} /usr/lib/modules/6.1.0/initramfs.img`,
      `-00644 0 0    999 ${A} /usr/lib/modules/6.1.0/modules.dep`,
      `l00777 0 0      0 ${A} /usr/lib/modules/6.1.0/build -> /usr/src/x`,
    ].join('\n');

  it('keeps only the kernel, initramfs and devicetree of the first layout with a kernel', () => {
    const files = bootFilesOf(parseOstreeLs(ls(A, 1000)));
    expect(files.map((f) => [f.path, f.size])).toEqual([
      ['/usr/lib/modules/6.1.0/vmlinuz', 1000],
      ['/usr/lib/modules/6.1.0/initramfs.img', 2000],
    ]);
    const old = parseOstreeLs(
      `-00644 0 0 500 ${A} /usr/lib/ostree-boot/vmlinuz-6.1.0\n-00644 0 0 700 ${B} /usr/lib/ostree-boot/initramfs-6.1.0.img\n-00644 0 0 9 ${C} /usr/lib/ostree-boot/config-6.1.0`,
    );
    expect(bootFilesOf(old).map((f) => f.size)).toEqual([500, 700]);
    expect(bootFilesOf([])).toEqual([]);
  });

  it('needs the files plus a margin, and nothing when an existing deployment has the same boot files', () => {
    const next = bootFilesOf(parseOstreeLs(ls(B, 5_000_000)));
    const same = bootFilesOf(parseOstreeLs(ls(B, 5_000_000)));
    const other = bootFilesOf(parseOstreeLs(ls(A, 1000)));
    expect(bootBytesNeeded(next, [other])).toBe(5_000_000 + 2000 + 1024 * 1024);
    expect(bootBytesNeeded(next, [other, same])).toBe(0);
    expect(bootBytesNeeded(next, [[]])).toBeGreaterThan(0);
  });
});

function entry(index: number, over: Partial<StatusEntry> = {}): StatusEntry {
  return {
    index,
    osName: 'os',
    checksum: String(index).repeat(64),
    serial: 0,
    booted: false,
    staged: false,
    pending: false,
    rollback: false,
    pinned: false,
    ...over,
  };
}

describe('rollback target (rpm-ostree rules) and the ostree plan', () => {
  it('booted first: the next deployment of the stateroot', () => {
    expect(rollbackTarget([entry(0, { booted: true }), entry(1)], 'os')).toEqual({
      kind: 'target',
      index: 1,
    });
  });
  it('a pending update and no older one: the booted deployment goes back on top', () => {
    expect(rollbackTarget([entry(0), entry(1, { booted: true })], 'os')).toEqual({
      kind: 'target',
      index: 1,
    });
  });
  it('a staged update blocks, even with an older deployment', () => {
    const d = [entry(0, { staged: true }), entry(1, { booted: true }), entry(2)];
    expect(rollbackTarget(d, 'os')).toEqual({ kind: 'staged', stagedIndex: 0 });
    expect(() => planRollback(d, 'os', true)).toThrow(
      expect.objectContaining({ code: 'OS_STAGED_BLOCKS_ROLLBACK' }),
    );
  });
  it('other stateroots are skipped; one deployment has no target', () => {
    const d = [entry(0), entry(1, { osName: 'other' }), entry(2)];
    expect(rollbackTarget(d, 'os')).toEqual({ kind: 'target', index: 2 });
    expect(rollbackTarget([entry(0)], 'os')).toEqual({ kind: 'none' });
    expect(() => planRollback([entry(0)], 'os', false)).toThrow(
      expect.objectContaining({ code: 'OS_NO_ROLLBACK_TARGET' }),
    );
  });
  it('plans set-default when ostree has it, undeploy 0 when safe, else a redeploy', () => {
    const two = [entry(0), entry(1)];
    expect(planRollback(two, 'os', true).kind).toBe('set-default');
    expect(planRollback(two, 'os', false).kind).toBe('undeploy-default');
    expect(planRollback([entry(0, { pinned: true }), entry(1)], 'os', false).kind).toBe('redeploy');
    expect(planRollback([entry(0), entry(1, { osName: 'other' }), entry(2)], 'os', false).kind).toBe(
      'redeploy',
    );
    // Booted at 0: never undeploy the running system.
    expect(planRollback([entry(0, { booted: true }), entry(1)], 'os', false).kind).toBe('redeploy');
  });
});

describe('reboot state of an ostree sysroot', () => {
  const target = (entries: StatusEntry[]): OstreeTarget => ({
    sysroot: '/',
    repo: '/ostree/repo',
    osName: 'os',
    entries,
    current: entries.find((e) => e.booted) ?? entries[0]!,
    default: entries[0]!,
    booted: entries.find((e) => e.booted),
  });
  it('needs a reboot when the default is not the booted deployment, naming why', () => {
    const staged = [entry(0, { staged: true, version: '43' }), entry(1, { booted: true, version: '42' })];
    expect(rebootState(target(staged))).toEqual({
      required: true,
      why: ['43 is staged and is finished at shutdown; the system still runs 42'],
    });
    expect(rebootState(target([entry(0, { booted: true }), entry(1)]))).toEqual({ required: false, why: [] });
  });
  it('a sysroot that is not the running system never needs one', () => {
    expect(rebootState(target([entry(0), entry(1)])).required).toBe(false);
  });
});
