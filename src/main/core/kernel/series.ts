import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { HostManifest, PatchScope } from '../../../shared/kernel/model';
import { byteOrder, orderedIncludes } from '../../../shared/kernel/order';

// Which patch files a host's cumulative patch is made of, in the one fixed order: the scope's rank in the
// manifest's apply_order, then the series name, then the patch file name, names compared byte by byte (never
// by locale: `sort` under LANG=de_DE and LANG=C disagree on "_" and "-").

export interface SeriesPatch {
  scope: PatchScope;
  series: string;
  /** The file name, NNNN-*.patch. */
  name: string;
  path: string;
  /** `<scope>/<series>/<name>`: how messages name it. */
  label: string;
}

/** NNNN-<words>.patch, the shape `git format-patch` gives. */
const PATCH_FILE = /^[0-9]{4}-[A-Za-z0-9._+-]*\.patch$/;

export { byteOrder, orderedIncludes } from '../../../shared/kernel/order';

export const patchesDir = (workspace: string) => join(workspace, 'patches');

export async function collectSeries(workspace: string, m: HostManifest): Promise<SeriesPatch[]> {
  const out: SeriesPatch[] = [];
  for (const { scope, series } of orderedIncludes(m)) {
    const dir = join(patchesDir(workspace), scope, series);
    const st = await lstat(dir).catch(() => null);
    if (!st?.isDirectory())
      throw new KintsugiError(
        'KERNEL_SERIES_NOT_FOUND',
        `${m.host} includes ${scope}/${series}, but ${dir} is not a folder`,
      );
    const names = (await readdir(dir)).filter((n) => n.endsWith('.patch')).sort(byteOrder);
    const bad = names.find((n) => !PATCH_FILE.test(n));
    if (bad)
      throw new KintsugiError(
        'KERNEL_PATCH_INVALID',
        `${scope}/${series}/${bad}: a patch file is named NNNN-<words>.patch (letters, digits, . _ + -)`,
      );
    if (!names.length) throw new KintsugiError('KERNEL_SERIES_NOT_FOUND', `${dir} has no NNNN-*.patch files`);
    for (const name of names) {
      const path = join(dir, name);
      // A symlink could pull any file of the machine into the patch; a series holds its own files.
      if (!(await lstat(path)).isFile())
        throw new KintsugiError('KERNEL_PATCH_INVALID', `${path} is not a regular file`);
      out.push({ scope, series, name, path, label: `${scope}/${series}/${name}` });
    }
  }
  return out;
}
