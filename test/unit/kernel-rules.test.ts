import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { HostManifest } from '../../src/shared/kernel/model';
import { hostManifestSchema } from '../../src/main/core/kernel/fleet-manifest';
import { checkHostName } from '../../src/shared/kernel/tokens';
import { parseManifestObject } from '../../src/main/core/manifests/parse-manifest';
import { normalisePatch } from '../../src/main/core/kernel/normalize-patch';
import { firstDifference } from '../../src/main/core/kernel/parity';
import { orderedIncludes } from '../../src/main/core/kernel/series';
import { renderTemplate } from '../../src/main/core/kernel/pkgbuild';
import { applyFailure } from '../../src/main/core/kernel/apply-check';

// The kernel domain's pure rules: the fleet schema's positions, the order of series, the patch normaliser, the
// parity report, the template renderer and the apply-failure report.

const MANIFEST = `host: fresnel
arch: aarch64
baseline: { repo: /srv/src/linux, ref: v6.9 }
includes: [soc/sm8250-fixes, driver/bes2600]
apply_order: [soc, driver, board, module, subsystem, arch]
package: { kind: pacman, pkgbase: linux-fresnel, pkgver: 6.9.0, pkgrel: 1, _srctag: v6.9 }
install: { bootloader: extlinux, initramfs: mkinitcpio }
`;

/** The detail of the KintsugiError FN throws (the catalogue message is generic; the detail says what). */
function detailOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KintsugiError);
    return (err as KintsugiError).detail ?? '';
  }
  throw new Error('expected a KintsugiError');
}

const parse = (text: string) => parseManifestObject(text, 'fleet/fresnel.yaml', hostManifestSchema);

describe('fleet manifest schema', () => {
  it("accepts the issue's example as written", () => {
    const r = parse(MANIFEST);
    expect(r.problems).toEqual([]);
    expect(r.value?.includes).toEqual(['soc/sm8250-fixes', 'driver/bes2600']);
  });

  it('reports an unknown scope in apply_order at its line and column', () => {
    const r = parse(MANIFEST.replace('[soc, driver, board', '[soc, drivers, board'));
    expect(r.value).toBeUndefined();
    const p = r.problems.find((x) => x.message.startsWith('apply_order.1'));
    // line 5, the column of "drivers" (1-based): "apply_order: [soc, " is 19 characters.
    expect(p).toMatchObject({ line: 5, column: 20 });
  });

  it('refuses a series name with a path step, a space or a shell character, and an include outside apply_order', () => {
    for (const bad of ['soc/../../etc', 'soc/a b', 'soc/x;rm', 'soc', 'soc/a/b', 'firmware/x']) {
      const r = parse(MANIFEST.replace('[soc/sm8250-fixes,', `["${bad}",`));
      expect(r.problems.map((p) => p.message).join('\n'), bad).toMatch(/includes\.0/);
    }
    const r = parse(MANIFEST.replace('[soc, driver, board, module, subsystem, arch]', '[driver]'));
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(
      /includes\.0: scope "soc" is not in apply_order/,
    );
  });

  it('refuses a misspelt key (strict) and reports a missing field at its parent', () => {
    const r = parse(MANIFEST.replace('pkgrel: 1', 'pkgrell: 1'));
    const msgs = r.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n');
    expect(msgs).toMatch(/^6:\d+ package/m);
    expect(msgs).toMatch(/pkgrel/);
  });

  it('refuses host names that are not plain tokens', () => {
    for (const bad of ['../etc', 'a/b', 'a b', 'x;reboot', '-rf', '', '$(id)', 'a..b/c'])
      expect(() => checkHostName(bad), bad).toThrow(KintsugiError);
    expect(checkHostName('fresnel-2_b')).toBe('fresnel-2_b');
  });
});

describe('series order', () => {
  it('orders by apply_order rank, then series name in byte order (not locale order)', () => {
    const m = {
      includes: ['driver/a', 'soc/z', 'driver/B', 'board/x'],
      apply_order: ['soc', 'driver', 'board'],
    } as unknown as HostManifest;
    // localeCompare puts "a" before "B"; byte order puts "B" (0x42) before "a" (0x61).
    expect(orderedIncludes(m).map((s) => `${s.scope}/${s.series}`)).toEqual([
      'soc/z',
      'driver/B',
      'driver/a',
      'board/x',
    ]);
  });
});

const PATCH = (opts: {
  abbrev: number;
  sig: string;
  date: string;
  sha: string;
  heading: string;
  subject: string;
}) =>
  [
    `From ${opts.sha} Mon Sep 17 00:00:00 2001`,
    'From: A Dev <a@example.invalid>',
    `Date: ${opts.date}`,
    `Subject: ${opts.subject}`,
    ' continued',
    'Message-Id: <x@y>',
    '',
    'Body line.',
    '',
    '---',
    ' NOTES | 1 -',
    ' 1 file changed, 1 deletion(-)',
    '',
    'diff --git a/NOTES b/NOTES',
    `index ${'1'.repeat(opts.abbrev)}..${'2'.repeat(opts.abbrev)} 100644`,
    '--- a/NOTES',
    '+++ b/NOTES',
    `@@ -1,3 +1,2 @@${opts.heading}`,
    ' notes',
    '-- ',
    ' end',
    '-- ',
    opts.sig,
    '',
  ].join('\n');

describe('normalisePatch', () => {
  const a = {
    abbrev: 7,
    sig: '2.39.5',
    date: 'Mon, 6 May 2024 12:53:20 +0000',
    sha: 'a'.repeat(40),
    heading: '',
    subject: '[PATCH] notes: drop a line',
  };
  const b = {
    abbrev: 12,
    sig: '2.45.0',
    date: 'Tue, 7 May 2024 00:53:20 +1200',
    sha: 'b'.repeat(40),
    heading: ' int main(void)',
    subject: '[PATCH 1/3] notes: drop a line',
  };

  it('gives the same bytes for the same change exported with another abbrev, date, sha, heading, tag and signature', () => {
    const x = normalisePatch(Buffer.from(PATCH(a)), 's/x/0001-a.patch').text;
    const y = normalisePatch(Buffer.from(PATCH(b)), 's/x/0001-a.patch').text;
    expect(y).toBe(x);
    expect(x).not.toMatch(/^(Date|index|Message-Id)/m);
    expect(x).toContain('Subject: notes: drop a line continued\n');
    expect(x).toContain('From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n');
  });

  it('keeps a removed "- " line (hunk line "-- ") and stops at the real signature', () => {
    const n = normalisePatch(Buffer.from(PATCH(a)), 'l');
    expect(n.text.endsWith('@@ -1,3 +1,2 @@\n notes\n-- \n end\n')).toBe(true);
    expect(n.hunks).toEqual([{ file: 'NOTES', oldStart: 1, header: '@@ -1,3 +1,2 @@', source: 'l' }]);
  });

  it('refuses a diff without a/ b/ prefixes, a binary patch and a second commit in one file', () => {
    const noprefix = PATCH(a).replace('diff --git a/NOTES b/NOTES', 'diff --git NOTES NOTES');
    expect(detailOf(() => normalisePatch(Buffer.from(noprefix), 'l'))).toMatch(/noprefix/);
    const binary = PATCH(a).replace('@@ -1,3 +1,2 @@\n notes\n-- \n end\n', 'GIT binary patch\nliteral 1\n');
    expect(detailOf(() => normalisePatch(Buffer.from(binary), 'l'))).toMatch(/binary/);
    const two = PATCH(a).replace('-- \n2.39.5\n', `${PATCH(a)}`);
    expect(detailOf(() => normalisePatch(Buffer.from(two), 'l'))).toMatch(/one commit per file/);
  });

  it('keeps non-ASCII bytes as they are', () => {
    const text = PATCH(a).replace('Body line.', 'Bödy – line.');
    expect(Buffer.from(normalisePatch(Buffer.from(text), 'l').text, 'latin1').toString('utf8')).toContain(
      'Bödy – line.',
    );
  });
});

describe('firstDifference', () => {
  it('names the offset, the line and both lines', () => {
    const d = firstDifference(Buffer.from('one\ntwo\nthree\n'), Buffer.from('one\ntwo\nthreE\n'));
    expect(d).toEqual({ offset: 12, line: 3, ours: 'three', theirs: 'threE' });
  });
  it('reports a difference on the first byte as line 1, and one file ending early', () => {
    expect(firstDifference(Buffer.from('a\n'), Buffer.from('b\n'))).toMatchObject({ offset: 0, line: 1 });
    expect(firstDifference(Buffer.from('a\nb\n'), Buffer.from('a\n'))).toEqual({
      offset: 2,
      line: 2,
      ours: 'b',
      theirs: '(end of file)',
    });
    expect(firstDifference(Buffer.from('same'), Buffer.from('same'))).toBeUndefined();
  });
});

describe('renderTemplate', () => {
  it('fills placeholders and names an unknown one with its line', () => {
    expect(renderTemplate('pkgbase=@PKGBASE@\n', { PKGBASE: 'linux-x' }, 't')).toBe('pkgbase=linux-x\n');
    expect(detailOf(() => renderTemplate('a\nx=@NOPE@\n', { PKGBASE: 'linux-x' }, 't'))).toMatch(
      /t:2: unknown placeholder @NOPE@/,
    );
  });
  it('refuses a value that is not a plain token', () => {
    expect(detailOf(() => renderTemplate('@PKGBASE@', { PKGBASE: 'x;reboot' }, 't'))).toMatch(
      /not a plain token/,
    );
  });
});

describe('applyFailure', () => {
  it("maps git's error line to the series patch and hunk", () => {
    const hunks = [
      { file: 'a.c', oldStart: 1, header: '@@ -1,3 +1,4 @@', source: 'soc/x/0001-a.patch' },
      { file: 'a.c', oldStart: 9, header: '@@ -9,3 +9,4 @@', source: 'driver/y/0001-b.patch' },
    ];
    const err = applyFailure(
      'error: patch failed: a.c:9\nerror: a.c: patch does not apply\n',
      { repoDir: '/r', ref: 'v6.9', commit: 'c'.repeat(40), committerTime: 0 },
      hunks,
    );
    expect(err.code).toBe('KERNEL_PATCH_DOES_NOT_APPLY');
    expect(err.detail).toMatch(
      /^a\.c, hunk @@ -9,3 \+9,4 @@ \(from driver\/y\/0001-b\.patch\) does not apply on v6\.9/,
    );
  });
});
