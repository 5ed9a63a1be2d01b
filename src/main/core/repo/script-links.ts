import { constants } from 'node:fs';
import { access, lstat, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve, dirname } from 'node:path';
import type { ScriptLink } from '../../../shared/repo/model';
import type { ToolkitScript } from './toolkit-scripts';

// How each toolkit script stands: what the bin folder holds under its name, and which file the name finds first
// on PATH. Offline, read-only: status and link both report it, so a stale copy or a shadowing file is said
// plainly instead of the person running an old script without knowing.

export async function inspectScripts(
  scripts: readonly ToolkitScript[],
  binDir: string,
  pathVar: string,
  ourCopies: ReadonlySet<string>,
): Promise<ScriptLink[]> {
  return Promise.all(scripts.map((s) => inspectScript(s, binDir, pathVar, ourCopies)));
}

async function inspectScript(
  script: ToolkitScript,
  binDir: string,
  pathVar: string,
  ourCopies: ReadonlySet<string>,
): Promise<ScriptLink> {
  const inBinDir = await binEntryState(script, join(binDir, script.name), ourCopies.has(script.name));
  const foundOnPath = await whichFirst(script.name, pathVar);
  const resolvesToClone = foundOnPath !== null && (await sameScript(foundOnPath, script.path));
  let problem: string | undefined;
  if (inBinDir === 'copy-stale')
    problem = `the copy in ${binDir} is older than the clone's script (a pull changed it): link again`;
  else if (foundOnPath === null)
    problem = `not found on PATH: is ${binDir} on PATH? (${inBinDir === 'missing' ? 'not linked yet' : 'linked'})`;
  else if (!resolvesToClone)
    problem = `${foundOnPath} comes first on PATH and is not the clone's script${
      (await isStaleCopyOf(foundOnPath, script.path))
        ? ' (a different file of that name, perhaps a stale copy)'
        : ''
    }: remove it or put ${binDir} before ${dirname(foundOnPath)} on PATH`;
  return {
    name: script.name,
    source: script.path,
    inBinDir,
    foundOnPath,
    resolvesToClone,
    ...(problem ? { problem } : {}),
  };
}

/** What the bin folder holds under a script's name. */
export async function binEntryState(
  script: ToolkitScript,
  entry: string,
  recordedCopy: boolean,
): Promise<ScriptLink['inBinDir']> {
  const st = await lstat(entry).catch(() => null);
  if (!st) return 'missing';
  if (st.isSymbolicLink()) {
    const target = resolve(dirname(entry), await readlink(entry));
    const real = await realpath(target).catch(() => target);
    return real === script.path ? 'symlink' : 'other';
  }
  if (!st.isFile()) return 'other';
  if (await sameContent(entry, script.path)) return 'copy-current';
  return recordedCopy ? 'copy-stale' : 'other';
}

/** The first executable regular file named NAME in PATH's folders (as a shell would find it), or null. */
export async function whichFirst(name: string, pathVar: string): Promise<string | null> {
  for (const dir of pathVar.split(delimiter)) {
    // An empty or relative PATH entry means the current folder to a shell: never what a status should report.
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    const st = await stat(candidate).catch(() => null);
    if (!st?.isFile()) continue;
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

async function sameScript(found: string, source: string): Promise<boolean> {
  const real = await realpath(found).catch(() => found);
  return real === source || sameContent(found, source);
}

async function isStaleCopyOf(found: string, source: string): Promise<boolean> {
  const st = await lstat(found).catch(() => null);
  return Boolean(st?.isFile()) && !(await sameContent(found, source));
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([readFile(a).catch(() => null), readFile(b).catch(() => null)]);
  return x !== null && y !== null && x.equals(y);
}
