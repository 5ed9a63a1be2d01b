import { lstat } from 'node:fs/promises';

/**
 * Whether a name is taken: lstat, so a dangling symlink counts (it still blocks a mkdir or a rename onto it).
 * Any error (missing, permission) reads as "no": callers use this to pick names and to skip optional files, and
 * the operation that follows reports a real failure itself.
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
