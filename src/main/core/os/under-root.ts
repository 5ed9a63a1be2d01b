import { lstat, readFile, readlink } from 'node:fs/promises';
import { isAbsolute, join, normalize, posix } from 'node:path';

// A file of another root (a mounted image, a chroot, the tests' throwaway root) is read the way a process chrooted
// there would see it: /etc/os-release is often a symlink to ../usr/lib/os-release, some images make it an absolute
// one (/usr/lib/os-release), and /var/run is a symlink to /run. Following an absolute link from the host would read
// the host's file, so each link is resolved inside ROOT; ".." never climbs above ROOT.

const MAX_LINKS = 40; // as the kernel's own limit: a loop ends here

/** The host path of PATH (absolute, as seen inside ROOT), every symlink on the way resolved inside ROOT. */
export async function resolveUnderRoot(root: string, path: string): Promise<string> {
  if (root === '/') return normalize(path);
  const pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    const st = await lstat(host).catch(() => null);
    if (!st?.isSymbolicLink()) {
      done.push(part); // missing or not a link: the rest is looked up as is (a missing file fails at the read)
      continue;
    }
    if (++links > MAX_LINKS) throw new Error(`too many symlinks resolving ${path} under ${root}`);
    const target = await readlink(host);
    if (isAbsolute(target)) done.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return join(root, ...done);
}

/** The text of PATH inside ROOT, or undefined when it does not exist there. */
export async function readUnderRoot(root: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(await resolveUnderRoot(root, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
