import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { RepoLinkParams } from '../../../shared/repo/contract';
import { toolkitCloneDir, toolkitScriptsDir } from '../layers/data-layout';
import { toolkitScripts } from './toolkit-scripts';

// What makes `repo-link` safe to run as root for this user (the helper's authorizer, and the CLI under sudo), checked on the real filesystem here (never taken
// from the request): the data root and the bin folder are real directories, named by their real paths; the bin
// folder is not inside the clone (no path escapes through it); every script the job will link is an executable
// regular file directly inside the clone's scripts folder, writable by its owner only, and owned by the user or
// by root: root links it where root (and everyone) will run it, so nobody else may be able to change it.

export async function checkLinkRequest(p: RepoLinkParams, uid: number): Promise<RepoLinkParams> {
  const dataRoot = await realDir(p.dataRoot, 'data root', 'REPO_NOT_CLONED');
  const binDir = await realDir(p.binDir, 'bin folder', 'LINK_BIN_DIR_NOT_WRITABLE');
  const clone = await realpath(toolkitCloneDir(dataRoot)).catch(() => {
    throw new KintsugiError('REPO_NOT_CLONED', `no toolkit clone under ${dataRoot}`);
  });
  if (binDir === clone || binDir.startsWith(clone + sep))
    throw new KintsugiError('INVALID_ARGUMENT', `bin folder ${binDir} is inside the clone ${clone}`, {
      hint: 'Choose a bin folder on PATH, such as /usr/local/bin.',
    });
  const binOwner = (await stat(binDir)).uid;
  if (binOwner !== 0 && binOwner !== uid)
    throw new KintsugiError(
      'LINK_BIN_DIR_NOT_WRITABLE',
      `bin folder ${binDir} belongs to uid ${binOwner}, neither root nor you (uid ${uid})`,
      {
        hint: 'Link into /usr/local/bin or a bin folder of your own.',
      },
    );
  const scripts = await toolkitScripts(toolkitScriptsDir(dataRoot));
  const scriptsDir = await realpath(toolkitScriptsDir(dataRoot));
  for (const s of scripts) {
    if (!s.path.startsWith(scriptsDir + sep))
      throw new KintsugiError('LINK_TARGET_REFUSED', `${s.path} is outside ${scriptsDir}`);
    const owner = (await stat(s.path)).uid;
    if (owner !== 0 && owner !== uid)
      throw new KintsugiError(
        'LINK_TARGET_REFUSED',
        `${s.path} belongs to uid ${owner}, neither root nor you (uid ${uid})`,
      );
  }
  return { ...p, dataRoot, binDir };
}

async function realDir(
  path: string,
  role: string,
  missing: 'REPO_NOT_CLONED' | 'LINK_BIN_DIR_NOT_WRITABLE',
): Promise<string> {
  const real = await realpath(path).catch(() => null);
  if (!real || !(await stat(real)).isDirectory())
    throw new KintsugiError(missing, `${role} ${path} does not exist or is not a directory`);
  return real;
}
