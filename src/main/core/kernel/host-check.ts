import { KintsugiError } from '../../../shared/errors';
import { hostName } from '../../../shared/kernel/tokens';

// The helper's check of a kernel job's host on its own (not trusting that the request was parsed before): it
// becomes a file name under the root (var/lib/kintsugi/kernel/<host>.json) and a backup folder, so only the
// fleet's plain token is accepted, never a path step.

export function checkKernelHost(host: unknown): string {
  const r = hostName.safeParse(host);
  if (!r.success)
    throw new KintsugiError('INVALID_ARGUMENT', `host ${JSON.stringify(host)} is not a plain host name`);
  return r.data;
}
