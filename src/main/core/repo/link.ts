import { constants } from 'node:fs';
import {
  access,
  copyFile,
  chmod,
  lstat,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KintsugiError } from '../../../shared/errors';
import type { LinkResult } from '../../../shared/repo/model';
import type { JobContext } from '../jobs/context';
import { toolkitScriptsDir } from '../layers/data-layout';
import { binEntryState, inspectScripts } from './script-links';
import { copiesIn, loadLinkRecord, saveLinkRecord } from './link-record';
import { toolkitScripts, type ToolkitScript } from './toolkit-scripts';

// `repo link`: the toolkit's scripts into a bin folder, as symlinks (a pull updates them at once) or, on request,
// as copies (which a pull makes stale: status says so). Only names that are free or already ours are written:
// a file of the same name that Kintsugi did not put there is left alone and reported. Each entry is replaced
// atomically (a temp name in the same folder, then rename), so a PATH lookup never sees a half-written script.

export interface LinkInput {
  dataRoot: string;
  binDir: string;
  copy: boolean;
  pathVar: string;
}

export async function linkScripts(input: LinkInput, ctx: JobContext): Promise<LinkResult> {
  const binDir = await writableDir(input.binDir);
  const scripts = await toolkitScripts(toolkitScriptsDir(input.dataRoot));
  const record = await loadLinkRecord(input.dataRoot);
  const ours = new Set(copiesIn(record, binDir));
  const linked: string[] = [];
  const skipped: LinkResult['skipped'] = [];
  for (const [i, s] of scripts.entries()) {
    if (ctx.signal.aborted)
      throw new KintsugiError('CANCELLED', `linked ${linked.length} of ${scripts.length}`);
    const dest = join(binDir, s.name);
    const state = await binEntryState(s, dest, ours.has(s.name));
    if (state === 'other' && !(await isOurSymlink(dest, dirname(s.path)))) {
      skipped.push({ name: s.name, reason: `${dest} is another file, not one Kintsugi put there` });
      continue;
    }
    await place(s, dest, input.copy);
    if (input.copy) ours.add(s.name);
    else ours.delete(s.name);
    linked.push(s.name);
    ctx.progress({ kind: 'repo', phase: 'link', items: i + 1, itemsTotal: scripts.length, message: s.name });
  }
  await saveLinkRecord(input.dataRoot, { copies: { ...record.copies, [binDir]: [...ours].sort() } });
  return {
    binDir,
    mode: input.copy ? 'copy' : 'symlink',
    linked,
    skipped,
    scripts: await inspectScripts(scripts, binDir, input.pathVar, ours),
  };
}

/** The bin folder's real path, when it is a directory we may write; LINK_BIN_DIR_NOT_WRITABLE otherwise. */
export async function writableDir(dir: string): Promise<string> {
  const real = await realpath(dir).catch(() => null);
  const st = real ? await stat(real) : null;
  if (!real || !st?.isDirectory())
    throw new KintsugiError('LINK_BIN_DIR_NOT_WRITABLE', `${dir} does not exist or is not a directory`);
  if (
    !(await access(real, constants.W_OK).then(
      () => true,
      () => false,
    ))
  )
    throw new KintsugiError('LINK_BIN_DIR_NOT_WRITABLE', `${dir} is not writable by this user`);
  return real;
}

/** A symlink into the clone's scripts folder (an earlier link to a script since renamed or removed) is ours. */
async function isOurSymlink(dest: string, scriptsDir: string): Promise<boolean> {
  const st = await lstat(dest).catch(() => null);
  if (!st?.isSymbolicLink()) return false;
  const target = resolve(dirname(dest), await readlink(dest));
  return target.startsWith(scriptsDir + sep);
}

async function place(script: ToolkitScript, dest: string, copy: boolean): Promise<void> {
  const tmp = join(dirname(dest), `.${randomBytes(6).toString('hex')}.kintsugi-link`);
  try {
    if (copy) {
      await copyFile(script.path, tmp);
      await chmod(tmp, 0o755);
    } else await symlink(script.path, tmp);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
