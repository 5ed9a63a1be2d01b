import { describe, expect, it } from 'vitest';
import { meteredFromNmcli, networkState } from '../../src/main/core/network/metered';
import { nulRecords } from '../../src/main/core/repo/git';
import { gitProgressReader } from '../../src/main/core/repo/git-progress';
import { parsePorcelainV2 } from '../../src/main/core/repo/porcelain-status';
import { confirmsDiscard } from '../../src/shared/repo/confirm';

// The pure readers of the repo and network layers, on text in the documented formats. The same code runs on
// real git output in test/integration/repo-git.test.ts; nmcli is not installed here, so its output below is a
// stand-in written from nmcli's documented terse format (-t, multi-line "FIELD:value", blank line per device).

describe('git status --porcelain=v2 --branch -z', () => {
  it('reads branch, upstream, ahead/behind and every kind of entry, paths with spaces and renames', () => {
    const out = [
      '# branch.oid 1111111111111111111111111111111111111111',
      '# branch.head main',
      '# branch.upstream origin/main',
      '# branch.ab +2 -5',
      '1 .M N... 100644 100644 100644 aaa bbb docs/a guide.md',
      '2 R. N... 100644 100644 100644 aaa bbb R100 new name.md',
      // The original path is its own field: a name that looks like an entry must not be read as one.
      '? old name.md',
      'u UU N... 100644 100644 100644 100644 aaa bbb ccc conflict.md',
      '? untracked file.txt',
      '',
    ].join('\0');
    expect(parsePorcelainV2(out)).toEqual({
      oid: '1111111111111111111111111111111111111111',
      branch: 'main',
      upstream: 'origin/main',
      ahead: 2,
      behind: 5,
      dirty: [
        { state: '.M', path: 'docs/a guide.md' },
        { state: 'R.', path: 'new name.md' },
        { state: 'UU', path: 'conflict.md' },
        { state: '??', path: 'untracked file.txt' },
      ],
    });
  });

  it('a detached HEAD has no branch and no upstream', () => {
    const s = parsePorcelainV2('# branch.oid abc\0# branch.head (detached)\0');
    expect(s).toMatchObject({ branch: null, ahead: 0, behind: 0 });
    expect(s.upstream).toBeUndefined();
  });
});

describe('git -z records', () => {
  it('splits fixed-width NUL records, the leading newline git puts between log records removed', () => {
    expect(nulRecords('a\0b\0\nc\0d\0', 2)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });
});

describe('git --progress', () => {
  it('reads updates split across chunks and separated by \\r; ignores other lines', () => {
    const seen: [number, number, string][] = [];
    const read = gitProgressReader((i, t, m) => seen.push([i, t, m]));
    read('remote: Enumerating objects: 5, done.\nReceiving objects:  40% (2/');
    read('5)\rReceiving objects: 100% (5/5), done.\nResolving deltas: 100% (1/1)\n');
    expect(seen).toEqual([
      [2, 5, 'Receiving objects'],
      [5, 5, 'Receiving objects'],
      [1, 1, 'Resolving deltas'],
    ]);
  });
});

describe('metered', () => {
  const nm = (devices: [number, string][]) =>
    devices.map(([state, m]) => `GENERAL.STATE:${state} (x)\nGENERAL.METERED:${m}`).join('\n\n');

  it('is metered when a connected device is (guessed or not), and not for a disconnected one', () => {
    expect(meteredFromNmcli(nm([[100, 'yes (guessed)']]))).toBe(true);
    expect(
      meteredFromNmcli(
        nm([
          [100, 'no'],
          [100, 'yes'],
        ]),
      ),
    ).toBe(true);
    expect(
      meteredFromNmcli(
        nm([
          [100, 'no (guessed)'],
          [30, 'yes'],
        ]),
      ),
    ).toBe(false);
    expect(meteredFromNmcli(nm([[20, 'yes']]))).toBeNull();
  });

  it('the setting wins; auto asks nmcli; no answer reads as unmetered, said as unknown', async () => {
    const said = (text: string | null) => async () => text;
    expect(await networkState('yes', said(nm([[100, 'no']])))).toEqual({ metered: true, source: 'setting' });
    expect(await networkState('no', said(nm([[100, 'yes']])))).toEqual({ metered: false, source: 'setting' });
    expect(await networkState('auto', said(nm([[100, 'yes']])))).toEqual({
      metered: true,
      source: 'networkmanager',
    });
    expect(await networkState('auto', said(null))).toEqual({ metered: false, source: 'unknown' });
  });
});

describe('typed DISCARD', () => {
  it('is the word itself, spaces forgiven, case not', () => {
    expect(confirmsDiscard(' DISCARD ')).toBe(true);
    expect(confirmsDiscard('discard')).toBe(false);
    expect(confirmsDiscard(undefined)).toBe(false);
  });
});
