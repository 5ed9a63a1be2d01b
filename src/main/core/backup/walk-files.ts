import { readdir } from 'node:fs/promises';
import { fsPath, toBytePath, type BytePath } from './byte-path';
import { comparePaths } from './file-index';

// The regular files of a tree, in the index's order (comparePaths: each folder's names sorted by their bytes,
// depth first), streamed: one folder's listing in memory at a time per level. Symlinks are not followed; other
// types (dirs, links, devices) are rsync's to compare, not ours to checksum. Names are read as bytes
// (byte-path.ts) and yielded as byte paths relative to the root.

export async function* walkFiles(
  root: string,
  skipAtRoot: ReadonlySet<string> = new Set(),
): AsyncGenerator<BytePath> {
  yield* walk(toBytePath(root), '', skipAtRoot);
}

async function* walk(root: BytePath, rel: BytePath, skip: ReadonlySet<string>): AsyncGenerator<BytePath> {
  const entries = await readdir(fsPath(rel ? `${root}/${rel}` : root), {
    withFileTypes: true,
    encoding: 'latin1',
  });
  entries.sort((a, b) => comparePaths(a.name, b.name));
  for (const e of entries) {
    if (!rel && skip.has(e.name)) continue;
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(root, path, skip);
    else if (e.isFile()) yield path;
  }
}
