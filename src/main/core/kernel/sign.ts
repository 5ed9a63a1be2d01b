import { KintsugiError } from '../../../shared/errors';
import { runTool } from '../util/run-tool';

// A detached binary signature (FILE.sig, what pacman checks) with the manifest's key, from the keyring of the
// process's GNUPGHOME. Run here, not through makepkg --sign, so the unprivileged build user never needs the
// secret key. The signature carries the signing time: unlike the package, it differs between runs.

export async function signFile(file: string, key: string, signal?: AbortSignal): Promise<string> {
  const sig = `${file}.sig`;
  try {
    await runTool(
      'gpg',
      [
        '--batch',
        '--yes',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--local-user',
        key,
        '--detach-sign',
        '--no-armor',
        '--output',
        sig,
        file,
      ],
      { cancelSignal: signal },
    );
  } catch (err) {
    if (err instanceof KintsugiError) throw err;
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message);
    throw new KintsugiError(
      'KERNEL_SIGN_FAILED',
      `gpg --local-user ${key}: ${stderr.trim().split('\n').at(-1)}`,
      {
        cause: err,
      },
    );
  }
  return sig;
}
