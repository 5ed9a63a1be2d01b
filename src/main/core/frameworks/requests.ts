import type { FrameworkEntry } from '../../../shared/frameworks/entry';
import type { JobRequest } from '../../../shared/registry';

// The job that installs or removes an entry, built by main from its own catalog (never from what a page sent):
// npm, pipx and VS Code recipes run unprivileged in the utility process; apt and .deb in the helper.

export function installRequest(entry: FrameworkEntry, npmPrefix?: string): JobRequest {
  const { name, recipe, binary } = entry;
  if (recipe.apt !== undefined || recipe.deb !== undefined)
    return { type: 'framework-install-system', params: { name, recipe, ...(binary ? { binary } : {}) } };
  return {
    type: 'framework-install',
    params: { name, recipe, ...(binary ? { binary } : {}), ...(npmPrefix ? { npmPrefix } : {}) },
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
  const install = installRequest(entry, npmPrefix);
  return {
    type: 'framework-uninstall',
    params: install.params as Extract<JobRequest, { type: 'framework-uninstall' }>['params'],
  };
}
