// Fills a mounted persistence filesystem with every case a faithful backup must keep: hard links, symlinks
// (incl. dangling), user xattrs, POSIX ACLs (access and default), setuid/setgid/sticky modes, foreign numeric
// owners, awkward names (space, newline, non-ASCII), a sparse file, an empty dir and some random data.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { chmod, chown, link, mkdir, open, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeTree, type TreeEntry } from './describe-tree';

export interface FixtureFiles {
  hardLinks: string[];
  symlinks: string[];
  danglingSymlink: string;
  xattrFile: string;
  aclFile: string;
  aclDefaultDir: string;
  setuidFile: string;
  setgidDir: string;
  stickyDir: string;
  foreignOwned: string[];
  spaceName: string;
  newlineName: string;
  sparseFile: string;
  emptyDir: string;
  randomFiles: string[];
}

export const FOREIGN_UID = 1234;
export const FOREIGN_GID = 5678;

export async function populatePersistence(root: string): Promise<{ files: FixtureFiles; tree: TreeEntry[] }> {
  const p = (rel: string) => join(root, rel);
  for (const d of [
    'links/sub',
    'random',
    'attrs',
    'acl/inherit',
    'modes/setgid',
    'modes/sticky',
    'owners/dir',
    'names',
    'sparse',
    'empty-dir',
  ])
    await mkdir(p(d), { recursive: true });

  const randomFiles = ['random/blob-256k.bin', 'random/blob-1m.bin', 'random/small.txt'];
  await writeFile(p('random/blob-256k.bin'), randomBytes(256 * 1024));
  await writeFile(p('random/blob-1m.bin'), randomBytes(1024 * 1024));
  await writeFile(p('random/small.txt'), `notes ${randomBytes(8).toString('hex')}\n`);

  await writeFile(p('links/original.txt'), 'the same inode under three names\n');
  await link(p('links/original.txt'), p('links/hardlink.txt'));
  await link(p('links/original.txt'), p('links/sub/hardlink-2.txt'));
  await symlink('original.txt', p('links/relative-link'));
  await symlink('/etc/hostname', p('links/absolute-link'));
  await symlink('../random', p('links/dir-link'));
  await symlink('does-not-exist', p('links/dangling-link'));

  await writeFile(p('attrs/xattr.txt'), 'has extended attributes\n');
  await execa('setfattr', ['-n', 'user.kintsugi.note', '-v', 'hello world', p('attrs/xattr.txt')]);
  await execa('setfattr', ['-n', 'user.kintsugi.binary', '-v', '0x00ff10', p('attrs/xattr.txt')]);
  await execa('setfattr', ['-n', 'user.kintsugi.dir', '-v', 'on a directory', p('attrs')]);

  await writeFile(p('acl/shared.txt'), 'shared with uid 1234 and gid 5678\n');
  await execa('setfacl', ['-m', `u:${FOREIGN_UID}:rw-,g:${FOREIGN_GID}:r--`, p('acl/shared.txt')]);
  await execa('setfacl', ['-m', `d:u:${FOREIGN_UID}:rwx,d:g:${FOREIGN_GID}:r-x`, p('acl/inherit')]);

  await writeFile(p('modes/setuid-tool'), '#!/bin/sh\nexit 0\n');
  await chmod(p('modes/setuid-tool'), 0o4755);
  await chmod(p('modes/setgid'), 0o2775);
  await chmod(p('modes/sticky'), 0o1777);

  await writeFile(p('owners/foreign.txt'), 'owned by a user that does not exist here\n');
  await chown(p('owners/foreign.txt'), FOREIGN_UID, FOREIGN_GID);
  await chown(p('owners/dir'), 4321, 8765);

  const spaceName = 'names/with space.txt';
  const newlineName = 'names/new\nline.txt';
  await writeFile(p(spaceName), 'space\n');
  await writeFile(p(newlineName), 'newline\n');
  await writeFile(p('names/ünïcødé-名前.txt'), 'utf-8\n');

  // 8 MiB apparent, 4 KiB allocated: a copy that loses sparseness still compares equal by content.
  const sparse = await open(p('sparse/sparse.img'), 'w');
  await sparse.write(randomBytes(4096), 0, 4096, 1024 * 1024);
  await sparse.truncate(8 * 1024 * 1024);
  await sparse.close();

  const files: FixtureFiles = {
    hardLinks: ['links/original.txt', 'links/hardlink.txt', 'links/sub/hardlink-2.txt'],
    symlinks: ['links/relative-link', 'links/absolute-link', 'links/dir-link', 'links/dangling-link'],
    danglingSymlink: 'links/dangling-link',
    xattrFile: 'attrs/xattr.txt',
    aclFile: 'acl/shared.txt',
    aclDefaultDir: 'acl/inherit',
    setuidFile: 'modes/setuid-tool',
    setgidDir: 'modes/setgid',
    stickyDir: 'modes/sticky',
    foreignOwned: ['owners/foreign.txt', 'owners/dir'],
    spaceName,
    newlineName,
    sparseFile: 'sparse/sparse.img',
    emptyDir: 'empty-dir',
    randomFiles,
  };
  return { files, tree: await describeTree(root) };
}
