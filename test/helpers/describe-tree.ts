// A sorted, comparable listing of a directory tree: everything `rsync -aHAX --numeric-ids` promises to keep
// (type, mode incl. setuid/sticky, numeric owner, size, content hash, symlink target, xattrs, POSIX ACLs, hard-link
// groups). Backup/restore tests compare two listings with diffTrees() to prove a copy is faithful.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export type TreeEntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block';

export interface TreeEntry {
  /** Relative to the root; the root itself is '.'. */
  path: string;
  type: TreeEntryType;
  /** Permission bits incl. setuid/setgid/sticky, as 4 octal digits. */
  mode: string;
  uid: number;
  gid: number;
  /** Files and symlinks only (directory sizes depend on the filesystem, not on content). */
  size?: number;
  linkTarget?: string;
  /** user.* and trusted.* attributes, values hex-encoded. */
  xattrs: Record<string, string>;
  acl?: string[];
  defaultAcl?: string[];
  /** For files with more than one link: the smallest path of the group, so groups compare across trees. */
  hardLinkGroup?: string;
  sha256?: string;
  mtime?: number;
}

export interface DescribeOptions {
  /** Include mtimes (whole seconds). Off by default: a restore into a fresh filesystem may touch the root. */
  mtime?: boolean;
  /** Relative paths (and everything below them) to leave out, e.g. 'lost+found'. */
  exclude?: string[];
}

export async function describeTree(dir: string, opts: DescribeOptions = {}): Promise<TreeEntry[]> {
  const root = resolve(dir);
  const exclude = new Set(opts.exclude ?? []);
  const attrs = await readAllXattrs(root);
  const entries: TreeEntry[] = [];
  const inodes = new Map<string, string[]>();

  async function visit(rel: string): Promise<void> {
    const abs = rel === '.' ? root : join(root, rel);
    const st = await lstat(abs);
    const type = typeOf(st);
    const raw = attrs.get(abs) ?? {};
    const entry: TreeEntry = {
      path: rel,
      type,
      mode: (st.mode & 0o7777).toString(8).padStart(4, '0'),
      uid: st.uid,
      gid: st.gid,
      xattrs: {},
    };
    for (const [name, value] of Object.entries(raw)) {
      if (name === 'system.posix_acl_access') entry.acl = decodeAcl(value);
      else if (name === 'system.posix_acl_default') entry.defaultAcl = decodeAcl(value);
      else if (name.startsWith('user.') || name.startsWith('trusted.')) entry.xattrs[name] = value;
    }
    if (opts.mtime && type !== 'symlink') entry.mtime = Math.floor(st.mtimeMs / 1000);
    if (type === 'file') {
      entry.size = st.size;
      entry.sha256 = await hashFile(abs);
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        inodes.set(key, [...(inodes.get(key) ?? []), rel]);
        (entry as TreeEntry & { inodeKey?: string }).inodeKey = key;
      }
    } else if (type === 'symlink') {
      entry.linkTarget = await readlink(abs);
      entry.size = st.size;
    }
    entries.push(entry);
    if (type === 'dir') {
      for (const name of (await readdir(abs)).sort()) {
        const child = rel === '.' ? name : `${rel}/${name}`;
        if (!exclude.has(child)) await visit(child);
      }
    }
  }
  await visit('.');

  // Name each hard-link group by its smallest member so two trees with the same links compare equal.
  for (const entry of entries as (TreeEntry & { inodeKey?: string })[]) {
    if (entry.inodeKey) {
      const group = inodes.get(entry.inodeKey)!;
      if (group.length > 1) entry.hardLinkGroup = [...group].sort()[0];
      delete entry.inodeKey;
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Human-readable differences between two listings; empty when they are equal. */
export function diffTrees(a: TreeEntry[], b: TreeEntry[]): string[] {
  const out: string[] = [];
  const mb = new Map(b.map((e) => [e.path, e]));
  const ma = new Map(a.map((e) => [e.path, e]));
  for (const ea of a) {
    const eb = mb.get(ea.path);
    if (!eb) {
      out.push(`only in first: ${JSON.stringify(ea.path)}`);
      continue;
    }
    const sa = JSON.stringify(normalise(ea));
    const sb = JSON.stringify(normalise(eb));
    if (sa !== sb) out.push(`differs: ${JSON.stringify(ea.path)}\n  first:  ${sa}\n  second: ${sb}`);
  }
  for (const eb of b) if (!ma.has(eb.path)) out.push(`only in second: ${JSON.stringify(eb.path)}`);
  return out;
}

function normalise(e: TreeEntry): TreeEntry {
  const sortedX = Object.fromEntries(Object.entries(e.xattrs).sort(([x], [y]) => (x < y ? -1 : 1)));
  return { ...e, xattrs: sortedX };
}

function typeOf(st: Awaited<ReturnType<typeof lstat>>): TreeEntryType {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  return 'block';
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** One getfattr run for the whole tree (not one per file): absolute path -> {name: hex value}. */
async function readAllXattrs(root: string): Promise<Map<string, Record<string, string>>> {
  const r = await execa(
    'getfattr',
    ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', root],
    {
      reject: false,
    },
  );
  if (r.exitCode !== 0 && !String(r.stdout).trim()) {
    // getfattr exits 1 when nothing has attributes; a real failure prints to stderr with no output.
    if (String(r.stderr).trim()) throw new Error(`getfattr failed: ${r.stderr}`);
  }
  const out = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of String(r.stdout).split('\n')) {
    if (line.startsWith('# file: ')) {
      current = {};
      out.set(unescapeOctal(line.slice('# file: '.length)), current);
    } else if (current && line.includes('=')) {
      const i = line.indexOf('=');
      current[line.slice(0, i)] = line.slice(i + 1).replace(/^0x/, '');
    }
  }
  return out;
}

/** getfattr/getfacl print unusual bytes in names as \ooo (a newline as \012, a backslash as \134). */
export function unescapeOctal(s: string): string {
  const parts = s.split(/(\\[0-7]{3})/);
  const bufs = parts.map((part) =>
    /^\\[0-7]{3}$/.test(part) ? Buffer.from([parseInt(part.slice(1), 8)]) : Buffer.from(part, 'utf8'),
  );
  return Buffer.concat(bufs).toString('utf8');
}

/** Decodes the kernel's posix_acl xattr (version 2 header, then {tag u16, perm u16, id u32} entries). */
export function decodeAcl(hex: string): string[] {
  const buf = Buffer.from(hex, 'hex');
  const tags: Record<number, string> = {
    1: 'user:',
    2: 'user',
    4: 'group:',
    8: 'group',
    16: 'mask:',
    32: 'other:',
  };
  const out: string[] = [];
  for (let off = 4; off + 8 <= buf.length; off += 8) {
    const tag = buf.readUInt16LE(off);
    const perm = buf.readUInt16LE(off + 2);
    const id = buf.readUInt32LE(off + 4);
    const rwx = `${perm & 4 ? 'r' : '-'}${perm & 2 ? 'w' : '-'}${perm & 1 ? 'x' : '-'}`;
    const name = tags[tag] ?? `tag${tag}:`;
    out.push(tag === 2 || tag === 8 ? `${name}:${id}:${rwx}` : `${name}:${rwx}`);
  }
  return out;
}
