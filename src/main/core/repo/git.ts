import { execa } from 'execa';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { jobLog } from '../jobs/log-scope';

// Every git call of the repo layer goes through here, with an environment we control: the same result whatever
// the user's git config, locale, pager, editor or credential helper. Output is parsed from porcelain / plumbing
// formats (NUL-separated where git offers it), never from localized text.

/** Variables of the caller's environment that would change what git does or prints. */
const DROPPED = /^(GIT_|LANG$|LANGUAGE$|LC_|PAGER$|EDITOR$|VISUAL$|SSH_ASKPASS$)/;

export function gitEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !DROPPED.test(k)) env[k] = v;
  return {
    ...env,
    LC_ALL: 'C',
    LANG: 'C',
    // No /etc/gitconfig and no ~/.gitconfig or ~/.config/git/config: aliases, hooksPath, pull.rebase, color...
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    XDG_CONFIG_HOME: '/nonexistent-kintsugi-xdg',
    // Never wait on a person: no password prompt, no pager, no editor.
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    SSH_ASKPASS: 'true',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_EDITOR: 'true',
    GIT_MERGE_AUTOEDIT: 'no',
    // A stash or a branch records a committer even when the clone has no user.name of its own.
    GIT_COMMITTER_NAME: 'Kintsugi Updater',
    GIT_COMMITTER_EMAIL: 'kintsugi-updater@localhost',
    GIT_AUTHOR_NAME: 'Kintsugi Updater',
    GIT_AUTHOR_EMAIL: 'kintsugi-updater@localhost',
  };
}

/** Options every call gets: no colour, paths printed raw (quotePath=false, with -z where we parse them). Never
 * safe.directory: git's own ownership check stays on (see refuseForeignClone). */
const BASE_ARGS = ['-c', 'color.ui=false', '-c', 'core.quotePath=false'];

/**
 * A clone's .git/config can name programs git runs (core.fsmonitor, hooks, remote.*.uploadpack). Run as root (sudo)
 * on a clone another user owns, those would be that user's commands with root's rights: refuse, saying whose
 * clone it is. git refuses too ("dubious ownership"), but in words we do not parse.
 */
async function refuseForeignClone(cwd: string): Promise<void> {
  const st = await stat(join(cwd, '.git')).catch(() => null);
  const me = process.getuid?.();
  if (st && me !== undefined && st.uid !== me)
    throw new KintsugiError(
      'REPO_NOT_OWNED',
      `${cwd} belongs to uid ${st.uid}; this process runs as uid ${me}`,
    );
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface GitOptions {
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (e.g. 1 from merge-base --is-ancestor). */
  okCodes?: readonly number[];
  /** Called with each stderr chunk (git --progress writes there, with \r between updates). */
  onStderr?: (chunk: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Variables set after the fixed environment (e.g. GIT_INDEX_FILE for a temporary index): named on purpose by
   * the caller, so they are not dropped like the inherited GIT_* ones. */
  extraEnv?: Record<string, string>;
}

/** Runs git in CWD; throws REPO_GIT_FAILED naming the command and git's last stderr line when it fails. */
export async function git(cwd: string, args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  await refuseForeignClone(cwd);
  const child = execa('git', [...BASE_ARGS, ...args], {
    cwd,
    env: { ...gitEnv(opts.env), ...opts.extraEnv },
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    stdin: 'ignore',
    shell: false,
    // Its own process group, so a cancel reaches the transport git starts (ssh, upload-pack) too: killing git
    // alone would leave them running, holding git's stderr open, and the job would never end.
    detached: true,
  });
  const killGroup = () => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  if (opts.signal?.aborted) killGroup();
  opts.signal?.addEventListener('abort', killGroup, { once: true });
  if (opts.onStderr) child.stderr?.on('data', (b: Buffer) => opts.onStderr!(b.toString('utf8')));
  const r = await child.finally(() => opts.signal?.removeEventListener('abort', killGroup));
  if (opts.signal?.aborted) throw new KintsugiError('CANCELLED', `git ${args[0] ?? ''} was cancelled`);
  if (
    (r as { code?: string }).code === 'ENOENT' ||
    (r.exitCode === undefined && /ENOENT/.test(r.message ?? ''))
  )
    throw new KintsugiError('TOOL_MISSING', 'git is not installed or not on PATH', {
      hint: 'Install git (Debian: apt install git), then retry.',
    });
  const stderr = String(r.stderr ?? '');
  const exitCode = r.exitCode ?? -1;
  for (const line of stderr
    .split(/[\r\n]+/)
    .filter((l) => l.trim() && !/^remote: /.test(l))
    .slice(-20))
    jobLog(`git ${args[0] ?? ''}: ${line}`);
  if (exitCode !== 0 && !(opts.okCodes ?? []).includes(exitCode))
    throw new KintsugiError('REPO_GIT_FAILED', `git ${args.join(' ')} failed: ${lastLine(stderr)}`, {
      cause: new Error(stderr.trim().slice(-2000) || `exit code ${exitCode}`),
    });
  return { stdout: String(r.stdout ?? ''), stderr, exitCode };
}

/** The last meaningful line git printed (its "fatal: ..." / "error: ..." line): for the detail of an error. */
export function lastLine(stderr: string): string {
  const lines = stderr
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.findLast((l) => /^(fatal|error):/.test(l)) ?? lines.at(-1) ?? '(no message)';
}

/** Splits NUL-terminated records (`-z` output) into fields separated by NUL within a fixed-width record. */
export function nulRecords(out: string, fieldsPerRecord: number): string[][] {
  const parts = out.split('\0');
  if (parts.at(-1) === '') parts.pop();
  const records: string[][] = [];
  for (let i = 0; i + fieldsPerRecord <= parts.length; i += fieldsPerRecord)
    records.push(parts.slice(i, i + fieldsPerRecord).map((p, j) => (j === 0 ? p.replace(/^\n/, '') : p)));
  return records;
}
