import { KintsugiError } from '../../../shared/errors';
import type { RepoStatus, ScriptLink } from '../../../shared/repo/model';
import { toolkitCloneDir, toolkitScriptsDir } from '../layers/data-layout';
import {
  commitsIn,
  headCommit,
  isClone,
  lastFetchAt,
  pinnedFrom,
  porcelain,
  remoteUrlOf,
  tagAtHead,
} from './clone-state';
import { copiesIn, loadLinkRecord } from './link-record';
import { inspectScripts } from './script-links';
import { toolkitScripts } from './toolkit-scripts';

// `repo status`: everything the page and `kintsugi repo status` show, without touching the network. Counts are
// as of the last fetch, and lastFetchAt says when that was.

export interface StatusInput {
  dataRoot: string;
  binDir: string;
  /** The PATH to resolve script names on (the caller's own). */
  pathVar: string;
}

export async function repoStatus({ dataRoot, binDir, pathVar }: StatusInput): Promise<RepoStatus> {
  const cloneDir = toolkitCloneDir(dataRoot);
  const empty: RepoStatus = {
    cloneDir,
    cloned: false,
    branch: null,
    head: null,
    ahead: 0,
    behind: 0,
    lastFetchAt: null,
    dirty: [],
    localCommits: [],
    binDir,
    scripts: [],
  };
  if (!(await isClone(cloneDir))) return empty;
  const st = await porcelain(cloneDir);
  const [head, tag, fetched, remoteUrl] = await Promise.all([
    headCommit(cloneDir),
    tagAtHead(cloneDir),
    lastFetchAt(cloneDir),
    remoteUrlOf(cloneDir),
  ]);
  const localCommits = st.upstream && head ? await commitsIn(cloneDir, `${st.upstream}..HEAD`) : [];
  const returnTo = st.branch === null ? await pinnedFrom(cloneDir) : undefined;
  return {
    ...empty,
    cloned: true,
    ...(remoteUrl ? { remoteUrl } : {}),
    branch: st.branch,
    head,
    ...(tag ? { tag } : {}),
    ...(returnTo ? { pinnedFrom: returnTo } : {}),
    ...(st.upstream ? { upstream: st.upstream } : {}),
    ahead: st.ahead,
    behind: st.behind,
    lastFetchAt: fetched,
    dirty: st.dirty,
    localCommits,
    ...(await scriptsWithProblem(dataRoot, binDir, pathVar)),
  };
}

/** The scripts' states, or, when a script fails the link checks, that reason in words (status stays offline
 * and never throws for it: `repo link` refuses with the same words). */
async function scriptsWithProblem(
  dataRoot: string,
  binDir: string,
  pathVar: string,
): Promise<Pick<RepoStatus, 'scripts' | 'scriptsProblem'>> {
  try {
    const scripts = await toolkitScripts(toolkitScriptsDir(dataRoot));
    const ours = copiesIn(await loadLinkRecord(dataRoot), binDir);
    return { scripts: await inspectScripts(scripts, binDir, pathVar, ours) };
  } catch (err) {
    if (err instanceof KintsugiError && err.code === 'LINK_TARGET_REFUSED')
      return { scripts: [], scriptsProblem: `${err.detail ?? err.message}. ${err.hint}` };
    if (err instanceof KintsugiError && err.code === 'REPO_NOT_CLONED') return { scripts: [] };
    throw err;
  }
}

/** Each script's state in the bin folder and on PATH; empty when the clone has no scripts folder (yet). */
export async function scriptStates(dataRoot: string, binDir: string, pathVar: string): Promise<ScriptLink[]> {
  const scripts = await toolkitScripts(toolkitScriptsDir(dataRoot)).catch(() => []);
  return inspectScripts(scripts, binDir, pathVar, copiesIn(await loadLinkRecord(dataRoot), binDir));
}
