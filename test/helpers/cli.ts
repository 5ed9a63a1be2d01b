import { execa, type Options, type Result } from 'execa';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';

// The built `kintsugi` (out/main/cli.js; `npm test` builds first), run as a process. Its job journal and flow
// state go under $XDG_STATE_HOME: always a folder of the calling test's, never the machine's own.

export const CLI = resolve('out/main/cli.js');

export async function assertCliBuilt(): Promise<void> {
  await access(CLI).catch(() => {
    throw new Error(`${CLI} is missing: run \`npx electron-vite build\` (npm test does) first`);
  });
}

// `script -c` takes one command line for /bin/sh: quote each argument (paths here are the tests' own temp paths).
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `cli(args)` runs the CLI without a terminal; `cliOnPty(args, typed)` on a pty (util-linux `script`), typing
 * `typed` at its prompt. stateHome() is read at each call (tests create their temp folder in beforeAll). */
export function cliRunner(stateHome: () => string): {
  env: () => { XDG_STATE_HOME: string };
  cli: (args: string[], opts?: Options) => Promise<Result>;
  cliOnPty: (args: string[], typed: string) => Promise<Result>;
} {
  const env = () => ({ XDG_STATE_HOME: join(stateHome(), 'state') });
  return {
    env,
    cli: (args: string[], opts: Options = {}) =>
      execa(process.execPath, [CLI, ...args], {
        reject: false,
        stdin: 'ignore',
        timeout: 60_000,
        env: env(),
        ...opts,
      }),
    cliOnPty: (args: string[], typed: string) =>
      execa('script', ['-qec', [process.execPath, CLI, ...args].map(shellQuote).join(' '), '/dev/null'], {
        input: `${typed}\n`,
        env: env(),
        reject: false,
        timeout: 60_000,
      }),
  };
}
