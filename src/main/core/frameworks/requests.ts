import type { FrameworkEntry } from '../../../shared/frameworks/entry';
import type { MeteredSetting } from '../../../shared/network/metered';
import type { JobRequest } from '../../../shared/registry';

// The job that installs or removes an entry, built by main from its own catalog (never from what a page sent):
// npm, pipx and VS Code recipes run unprivileged in the utility process; apt and .deb in the helper.

/** What the metered gate needs: the setting, and whether the person already said yes. */
export interface MeteredChoice {
  allowMetered: boolean;
  meteredSetting: MeteredSetting;
}

export function installRequest(
  entry: FrameworkEntry,
  npmPrefix: string | undefined,
  metered: MeteredChoice,
): JobRequest {
  const { name, recipe, binary } = entry;
  if (recipe.apt !== undefined || recipe.deb !== undefined)
    return {
      type: 'framework-install-system',
      params: { name, recipe, ...(binary ? { binary } : {}), ...metered },
    };
  return {
    type: 'framework-install',
    params: { name, recipe, ...(binary ? { binary } : {}), ...(npmPrefix ? { npmPrefix } : {}), ...metered },
  };
}

export function uninstallRequest(entry: FrameworkEntry, npmPrefix?: string): JobRequest {
  const { name, recipe } = entry;
  const pkg = recipe.apt ?? recipe.deb?.package;
  if (pkg !== undefined)
    return {
      type: 'framework-uninstall-system',
      params: { name, package: pkg, ...(entry.binary ? { binary: entry.binary } : {}) },
    };
  const { binary } = entry;
  return {
    type: 'framework-uninstall',
    params: { name, recipe, ...(binary ? { binary } : {}), ...(npmPrefix ? { npmPrefix } : {}) },
  };
}
