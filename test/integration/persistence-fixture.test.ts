// Proves the shared fixtures are what other tests rely on: real labels where expected, every special file case
// present in the tree listing, and release files the real tools accept.
import { execa } from 'execa';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import {
  buildFixtureImage,
  compressFixture,
  makeBmap,
  signWithMinisign,
  writeSha256File,
  type FixtureImage,
} from '../helpers/fixture-image';
import { heldByTests, withMountedLoop } from '../helpers/loop';

let dir: string;
let gpt: FixtureImage;
let ventoy: FixtureImage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-fixture-'));
  gpt = await buildFixtureImage(join(dir, 'gpt'));
  ventoy = await buildFixtureImage(join(dir, 'ventoy'), { layout: 'ventoy', persistenceLabel: 'casper-rw' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function blkidAt(image: string, offset: number, size: number): Promise<Record<string, string>> {
  const { stdout } = await execa('blkid', [
    '-p',
    '-o',
    'export',
    '--offset',
    String(offset),
    '--size',
    String(size),
    image,
  ]);
  return Object.fromEntries(
    stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('buildFixtureImage (GPT layout)', () => {
  it('has a boot partition and an ext4 partition labelled persistence', async () => {
    expect(gpt.sizeBytes).toBe(64 * 1024 * 1024);
    expect((await stat(gpt.imagePath)).size).toBe(gpt.sizeBytes);
    const boot = await blkidAt(gpt.imagePath, gpt.boot.offset, gpt.boot.size);
    expect(boot.LABEL).toBe('KINTSUGI-BOOT');
    const p = await blkidAt(gpt.imagePath, gpt.persistence.offset, gpt.persistence.size);
    expect(p).toMatchObject({ LABEL: 'persistence', TYPE: 'ext4' });
    expect(gpt.persistence.partitionNumber).toBe(2);
  });

  it('lists every special case in the tree', () => {
    const byPath = new Map(gpt.tree.map((e) => [e.path, e]));
    const f = gpt.expectedFiles;
    const groups = new Set(f.hardLinks.map((h) => byPath.get(h)?.hardLinkGroup));
    expect(groups).toEqual(new Set(['links/hardlink.txt']));
    expect(byPath.get(f.danglingSymlink)).toMatchObject({ type: 'symlink', linkTarget: 'does-not-exist' });
    expect(byPath.get(f.xattrFile)?.xattrs).toEqual({
      'user.kintsugi.note': Buffer.from('hello world').toString('hex'),
      'user.kintsugi.binary': '00ff10',
    });
    expect(byPath.get(f.aclFile)?.acl).toEqual([
      'user::rw-',
      'user:1234:rw-',
      'group::r--',
      'group:5678:r--',
      'mask::rw-',
      'other::r--',
    ]);
    expect(byPath.get(f.aclDefaultDir)?.defaultAcl).toContain('user:1234:rwx');
    expect(byPath.get(f.setuidFile)?.mode).toBe('4755');
    expect(byPath.get(f.setgidDir)?.mode).toBe('2775');
    expect(byPath.get(f.stickyDir)?.mode).toBe('1777');
    expect(byPath.get(f.foreignOwned[0] ?? '')).toMatchObject({ uid: 1234, gid: 5678 });
    expect(byPath.get(f.newlineName)?.type).toBe('file');
    expect(byPath.get(f.spaceName)?.type).toBe('file');
    expect(byPath.get(f.sparseFile)?.size).toBe(8 * 1024 * 1024);
    expect(byPath.get(f.emptyDir)?.type).toBe('dir');
  });

  it('reads back the same tree from a fresh read-only mount, and notices a change', async () => {
    await withMountedLoop(
      gpt.imagePath,
      { offset: gpt.persistence.offset, sizeLimit: gpt.persistence.size, readOnly: true },
      async (mnt) => {
        expect(diffTrees(gpt.tree, await describeTree(mnt))).toEqual([]);
      },
    );
    const changed = gpt.tree.map((e) =>
      e.path === gpt.expectedFiles.setuidFile ? { ...e, mode: '0755' } : e,
    );
    expect(diffTrees(gpt.tree, changed)).toHaveLength(1);
    expect(heldByTests()).toEqual({ loops: [], mounts: [] });
  });
});

describe('buildFixtureImage (Ventoy layout)', () => {
  it('puts an ext4 persistence.dat with the requested label in the data partition', async () => {
    expect(ventoy.persistence).toMatchObject({
      kind: 'file',
      innerPath: 'persistence.dat',
      partitionNumber: 1,
    });
    const { stdout } = await execa('sfdisk', ['--json', ventoy.imagePath]);
    expect(JSON.parse(stdout).partitiontable.label).toBe('dos');
    await withMountedLoop(
      ventoy.imagePath,
      { offset: ventoy.persistence.offset, sizeLimit: ventoy.persistence.size, readOnly: true },
      async (mnt) => {
        const { stdout: b } = await execa('blkid', ['-p', '-o', 'export', join(mnt, 'persistence.dat')]);
        expect(b).toContain('LABEL=casper-rw');
        expect(b).toContain('TYPE=ext4');
        await withMountedLoop(join(mnt, 'persistence.dat'), { readOnly: true }, async (inner) => {
          expect(diffTrees(ventoy.tree, await describeTree(inner))).toEqual([]);
        });
      },
    );
  });
});

describe('release files', () => {
  it('compresses, checksums, signs and maps an image the real tools accept', async () => {
    const zst = await compressFixture(gpt.imagePath, 'zstd');
    const xz = await compressFixture(gpt.imagePath, 'xz');
    const gz = await compressFixture(gpt.imagePath, 'gzip');
    await execa('zstd', ['-t', '-q', zst]);
    await execa('xz', ['-t', xz]);
    await execa('gzip', ['-t', gz]);
    const sums = await writeSha256File([zst, gpt.imagePath], join(dir, 'gpt', 'SHA256SUMS'));
    await execa('sha256sum', ['-c', '--strict', sums], { cwd: join(dir, 'gpt') });
    const sig = await signWithMinisign(zst, { trustedComment: 'kintsugi fixture' });
    expect(sig.pubkey).toMatch(/^RW[A-Za-z0-9+/=]+$/);
    const ok = await execa('minisign', ['-V', '-P', sig.pubkey, '-m', zst, '-x', sig.minisigPath]);
    expect(ok.stdout).toContain('kintsugi fixture');
    const bad = await execa('minisign', ['-V', '-P', sig.pubkey, '-m', xz, '-x', sig.minisigPath], {
      reject: false,
    });
    expect(bad.exitCode).not.toBe(0);
    const bmap = await makeBmap(gpt.imagePath);
    const copy = join(dir, 'gpt', 'copy.img');
    await execa('bmaptool', ['copy', '--bmap', bmap, gpt.imagePath, copy]);
    await execa('cmp', [gpt.imagePath, copy]);
  });
});
