import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KintsugiError } from '../../shared/errors';

// How the helper process is started, as a pure function of the options and the uid (tested without spawning).
//
// - Already root: run the helper directly.
// - Otherwise: pkexec. pkexec wipes the environment, so ELECTRON_RUN_AS_NODE cannot be passed through it; in a
//   packaged app pkexec runs the launcher script named in the polkit policy (build/helper/kintsugi-helper), which
//   sets it and runs the app binary on helper.js. In dev, pkexec runs `node out/main/helper.js` (no policy needed
//   beyond pkexec's default admin check).

export type HelperMode = 'auto' | 'direct' | 'pkexec';

export interface HelperLaunchOptions {
  mode?: HelperMode;
  /** The Node (or Electron-as-Node) binary; defaults to process.execPath. */
  nodePath?: string;
  /** The helper bundle; defaults to helper.js beside the running bundle (out/main/helper.js). */
  helperPath?: string;
  /** Packaged app: the launcher that the polkit policy names (exec.path); pkexec runs it instead of node. */
  launcherPath?: string;
  /** The pkexec binary; 'pkexec' from PATH by default. */
  pkexecPath?: string;
  env?: NodeJS.ProcessEnv;
}

export interface HelperCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  viaPkexec: boolean;
}

export function defaultHelperPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'helper.js');
}

export function helperCommand(opts: HelperLaunchOptions, uid: number | undefined): HelperCommand {
  const mode = opts.mode ?? 'auto';
  const viaPkexec = mode === 'pkexec' || (mode === 'auto' && uid !== 0);
  const nodePath = opts.nodePath ?? process.execPath;
  const helperPath = opts.helperPath ?? defaultHelperPath();
  // Harmless for plain node; makes the Electron binary behave as node (the RunAsNode fuse stays on for this).
  const env = { ...(opts.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' };
  if (!viaPkexec) return { file: nodePath, args: [helperPath], env, viaPkexec };
  const pkexec = opts.pkexecPath ?? 'pkexec';
  const args = opts.launcherPath ? [opts.launcherPath] : [nodePath, helperPath];
  return { file: pkexec, args, env, viaPkexec };
}

/** What an exit before 'ready' means. pkexec: 126 = the prompt was dismissed, 127 = not authorised. */
export function earlyExitError(
  viaPkexec: boolean,
  exitCode: number | null | undefined,
  signal: string | null | undefined,
  stderr: string,
): KintsugiError {
  const tail = stderr.trim().slice(-2000);
  if (viaPkexec && exitCode === 126)
    return new KintsugiError('HELPER_AUTH_DISMISSED', tail || 'pkexec exited 126');
  if (viaPkexec && exitCode === 127)
    return new KintsugiError('HELPER_NOT_AUTHORIZED', tail || 'pkexec exited 127');
  const how = signal ? `killed by ${signal}` : `exited with code ${exitCode}`;
  return new KintsugiError('HELPER_FAILED', `helper ${how} before it was ready${tail ? `: ${tail}` : ''}`);
}
