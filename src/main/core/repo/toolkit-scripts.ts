import { lstat, readdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { KintsugiError } from '../../../shared/errors';

// The toolkit's scripts: the executable regular files directly in <clone>/scripts/usb-toolkit. Both the link job
// and the helper's authorizer enumerate them here, on the real filesystem, so what root links is never a list a
// caller sent.

export interface ToolkitScript {
  name: string;
  /** Real path, inside the scripts folder. */
  path: string;
}

/** Names we will put in a bin folder: plain file names, never hidden, never an option. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/**
 * Every script to link, checked: a regular file (not a symlink, which could lead out of the clone), executable,
 * writable by its owner only (root will run what it links; a file anyone may change would be anyone's root
 * command), with a plain name. Throws LINK_TARGET_REFUSED naming the first that fails; REPO_NOT_CLONED when the
 * folder is missing. Non-executable files (a README) are not scripts and are left out.
 */
export async function toolkitScripts(scriptsDir: string): Promise<ToolkitScript[]> {
  const real = await realpath(scriptsDir).catch(() => {
    throw new KintsugiError('REPO_NOT_CLONED', `no scripts folder at ${scriptsDir}`, {
      hint: 'Clone the toolkit first (`kintsugi repo clone`), or check the data root.',
    });
  });
  const out: ToolkitScript[] = [];
  for (const name of (await readdir(real)).sort()) {
    const path = join(real, name);
    const st = await lstat(path);
    if (st.isDirectory()) continue;
    const executable = (st.mode & 0o111) !== 0;
    if (st.isSymbolicLink()) {
      throw refused(`${path} is a symlink: only regular files inside the scripts folder are linked`);
    }
    if (!st.isFile() || !executable) continue;
    if (!SAFE_NAME.test(name))
      throw refused(`${path}: the name ${JSON.stringify(name)} is not a plain file name`);
    if ((st.mode & 0o022) !== 0)
      throw refused(`${path} is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`, {
        hint: `Make it writable by its owner only (chmod go-w ${path}), then link again.`,
      });
    // realpath of a regular file directly in the folder is itself, but the folder might be reached through a
    // link: check the file's own real path stays inside the folder's.
    const resolved = await realpath(path);
    if (!resolved.startsWith(real + sep)) throw refused(`${path} resolves outside ${real}`);
    out.push({ name, path: resolved });
  }
  return out;
}

function refused(detail: string, opts?: { hint?: string }): KintsugiError {
  return new KintsugiError('LINK_TARGET_REFUSED', detail, opts);
}
