import { execa } from 'execa';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gitEnv } from '../../src/main/core/repo/git';

// A toolkit remote for the repo tests, made with the real git: a bare repository (the "remote") and an author's
// working clone that pushes to it. The clone under test is made by the code under test (`repo clone`) or by
// cloneInto. Nothing here reads the machine's git config.

export interface ToolkitRemote {
  bare: string;
  author: string;
  /** Writes files in the author's clone, commits them with SUBJECT and pushes; returns the new commit. */
  commit(subject: string, files: Record<string, string>, opts?: { executable?: string[] }): Promise<string>;
  tag(name: string): Promise<void>;
}

export async function g(cwd: string, args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, env: gitEnv(), extendEnv: false });
  return r.stdout.trim();
}

export async function makeToolkitRemote(root: string): Promise<ToolkitRemote> {
  const bare = join(root, 'remote.git');
  const author = join(root, 'author');
  await mkdir(bare, { recursive: true });
  await g(bare, ['init', '--quiet', '--bare', '--initial-branch=main']);
  await g(root, ['clone', '--quiet', bare, author]);
  await g(author, ['switch', '--quiet', '-c', 'main']);
  const commit: ToolkitRemote['commit'] = async (subject, files, opts = {}) => {
    for (const [path, text] of Object.entries(files)) {
      const full = join(author, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, text);
      await chmod(full, opts.executable?.includes(path) ? 0o755 : 0o644);
    }
    await g(author, ['add', '-A']);
    await g(author, ['commit', '--quiet', '-m', subject]);
    await g(author, ['push', '--quiet', 'origin', 'HEAD:main']);
    return g(author, ['rev-parse', 'HEAD']);
  };
  const tag: ToolkitRemote['tag'] = async (name) => {
    await g(author, ['tag', name]);
    await g(author, ['push', '--quiet', 'origin', name]);
  };
  return { bare, author, commit, tag };
}

/** A clone as `repo clone` leaves it (tests that do not exercise clone itself start from this). */
export async function cloneInto(bare: string, dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  await g(dirname(dir), ['clone', '--quiet', bare, dir]);
}
