import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { comparePaths } from './file-index';

// The regular files of a tree, in the index's order (comparePaths: each folder's names sorted, depth first),
// streamed: one folder's listing in memory at a time per level. Symlinks are not followed; other types (dirs,
// links, devices) are rsync's to compare, not ours to checksum.

export async function* walkFiles(
  root: string,
  skipAtRoot: ReadonlySet<string> = new Set(),
): AsyncGenerator<string> {
  yield* walk(root, '', skipAtRoot);
}

async function* walk(root: string, rel: string, skip: ReadonlySet<string>): AsyncGenerator<string> {
  const entries = await readdir(rel ? join(root, rel) : root, { withFileTypes: true });
  entries.sort((a, b) => comparePaths(a.name, b.name));
  for (const e of entries) {
    if (!rel && skip.has(e.name)) continue;
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(root, path, skip);
    else if (e.isFile()) yield path;
  }
}
