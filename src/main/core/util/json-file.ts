import { readFile, rename } from 'node:fs/promises';
import type { z } from 'zod';
import { writeFileAtomic, type AtomicWriteOptions } from './atomic-write';

// Small JSON state files that must survive a crash: written atomically, validated on load. A file that does
// not parse or does not validate is moved aside (kept for a bug report, never deleted) and the caller starts
// fresh, so a damaged file can never wedge the app.

export interface LoadOutcome<T> {
  value: T;
  /** Where a corrupt file was moved, when it was. */
  corruptCopy?: string;
}

export async function loadJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
  fresh: () => z.output<S>,
): Promise<LoadOutcome<z.output<S>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: fresh() };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { value: fresh(), corruptCopy: await moveAside(path) };
  }
  const result = schema.safeParse(parsed);
  if (!result.success) return { value: fresh(), corruptCopy: await moveAside(path) };
  return { value: result.data };
}

export async function saveJsonFile(
  path: string,
  value: unknown,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, opts);
}

async function moveAside(path: string): Promise<string> {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside);
  return aside;
}
