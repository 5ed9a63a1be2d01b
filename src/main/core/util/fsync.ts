import { open } from 'node:fs/promises';

/**
 * fsync(2) of one file or directory. For a file: its data and inode reach the disk. For a directory: the names
 * it holds (a file created or renamed into it) do; a rename is only durable once its directory is synced.
 */
export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
