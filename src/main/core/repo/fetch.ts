import { KintsugiError } from '../../../shared/errors';
import type { JobContext } from '../jobs/context';
import { git, lastLine } from './git';
import { gitProgressReader } from './git-progress';

// Fetches the clone's remote, tags too (a release to pin to arrives with the tags), pruning branches the remote
// deleted. A failure here means the remote could not be reached or refused us: said as such, with git's words.

export async function fetchOrigin(cloneDir: string, ctx: JobContext): Promise<void> {
  try {
    await git(cloneDir, ['fetch', '--tags', '--prune', '--progress', 'origin'], {
      signal: ctx.signal,
      onStderr: gitProgressReader((items, itemsTotal, message) =>
        ctx.progress({ kind: 'repo', phase: 'fetch', items, itemsTotal, message }),
      ),
    });
  } catch (err) {
    if (err instanceof KintsugiError && err.code === 'REPO_GIT_FAILED')
      throw new KintsugiError(
        'REPO_REMOTE_UNREACHABLE',
        `fetching origin of ${cloneDir} failed: ${detailOf(err)}`,
        {
          cause: err,
        },
      );
    throw err;
  }
}

function detailOf(err: KintsugiError): string {
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return lastLine(cause) || (err.detail ?? '');
}
