import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { runTool } from '../util/run-tool';

// Puts built packages (and their signatures) into a pacman repository folder and adds them to its database with
// repo-add (Debian's pacman-package-manager ships it). The database is rewritten each time (its tar carries the
// time it was written); the packages themselves are the reproducible part.

export async function publishPacman(
  repoDir: string,
  repoName: string,
  files: { file: string; signature?: string }[],
  signal?: AbortSignal,
): Promise<string> {
  await mkdir(repoDir, { recursive: true });
  const placed: string[] = [];
  for (const f of files) {
    const dest = join(repoDir, basename(f.file));
    await copyFile(f.file, dest);
    if (f.signature) await copyFile(f.signature, `${dest}.sig`);
    placed.push(dest);
  }
  const db = join(repoDir, `${repoName}.db.tar.gz`);
  try {
    await runTool('repo-add', ['--quiet', '--remove', db, ...placed], {
      cancelSignal: signal,
      env: { LC_ALL: 'C', TZ: 'UTC' },
    });
  } catch (err) {
    if (err instanceof KintsugiError) throw err;
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message);
    throw new KintsugiError('KERNEL_PUBLISH_FAILED', `repo-add ${db}: ${stderr.trim().split('\n').at(-1)}`, {
      cause: err,
    });
  }
  return db;
}
