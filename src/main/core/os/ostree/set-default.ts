import { ostree } from './run-ostree';

// `ostree admin set-default` arrived after Debian 12's ostree 2022.7; ask the installed ostree whether it has it
// (its `admin --help` lists its commands) instead of guessing from a version number.

export async function hasSetDefault(signal?: AbortSignal): Promise<boolean> {
  const r = await ostree(['admin', '--help'], { signal, okCodes: [1] });
  return /^\s+set-default\s/m.test(r.stdout + '\n' + r.stderr);
}
