import { realpath, stat } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';

/** The data root as an existing directory's real path: what the helper schedules tasks for. */
export async function realDataRoot(path: string): Promise<string> {
  const real = await realpath(path).catch(() => null);
  if (!real || !(await stat(real)).isDirectory())
    throw new KintsugiError('INVALID_ARGUMENT', `data root ${path} does not exist or is not a directory`, {
      hint: 'Set the data folder in Settings to the Kintsugi data partition, then try again.',
    });
  return real;
}
