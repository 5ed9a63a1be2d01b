import { ostree } from './run-ostree';

// `ostree admin set-default INDEX` ("Make the deployment at INDEX the default for the next boot",
// ostree-admin-set-default(1), e.g. in Ubuntu's ostree 2024.5) arrived after Debian 12's 2022.7. Ask the installed
// ostree whether it has it (`admin --help` lists its commands) instead of guessing from a version number.

export async function hasSetDefault(signal?: AbortSignal): Promise<boolean> {
  const r = await ostree(['admin', '--help'], { signal, okCodes: [1] });
  return /^\s+set-default\s/m.test(r.stdout + '\n' + r.stderr);
}
