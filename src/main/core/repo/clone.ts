import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { CloneResult } from '../../../shared/repo/model';
import type { JobContext } from '../jobs/context';
import { resolveCommit } from './clone-state';
import { git, lastLine } from './git';
import { gitProgressReader } from './git-progress';

// `repo clone`: the toolkit into <data>/repo/kintsugi-usb when it is missing. git clones into a fresh sibling
// folder and the finished clone is renamed into place, so a failed or cancelled clone never leaves a half clone
// where status would take it for the real one. An existing folder is never touched.

export async function cloneToolkit(cloneDir: string, remote: string, ctx: JobContext): Promise<CloneResult> {
  const existing = await readdir(cloneDir).catch(() => null);
  if (existing !== null && existing.length > 0)
    throw new KintsugiError('REPO_EXISTS', `${cloneDir} already exists and is not empty`);
  const parent = dirname(cloneDir);
  await mkdir(parent, { recursive: true });
  const partial = join(parent, `.${basename(cloneDir)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    await git(parent, ['clone', '--progress', '--origin', 'origin', '--', remote, partial], {
      signal: ctx.signal,
      onStderr: gitProgressReader((items, itemsTotal, message) =>
        ctx.progress({ kind: 'repo', phase: 'clone', items, itemsTotal, message }),
      ),
    });
    // An empty folder (made by hand, or a mount point) gives way to the clone.
    if (existing !== null) await rmdir(cloneDir);
    await rename(partial, cloneDir);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    if (err instanceof KintsugiError && err.code === 'REPO_GIT_FAILED') {
      const said = err.cause instanceof Error ? lastLine(err.cause.message) : (err.detail ?? '');
      throw new KintsugiError('REPO_REMOTE_UNREACHABLE', `cloning ${remote} failed: ${said}`, { cause: err });
    }
    throw err;
  }
  return { cloneDir, remote, head: (await resolveCommit(cloneDir, 'HEAD')) ?? '' };
}
