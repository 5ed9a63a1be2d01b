import type { CliDomain } from '../domain-command';
import { kernelWorkspaceSubcommands } from './kernel-workspace';

// `kintsugi kernel ...` (issue 10). The subcommands come in groups, one file each: the workspace side (hosts,
// show, promote, build) from kernel-workspace.ts; the install side (install, rollback, status, heartbeat) is
// appended here from its own file.

export const kernelDomain: CliDomain = {
  name: 'kernel',
  summary: 'Kernel (fleet): promote patch series, build packages',
  defaultSubcommand: 'hosts',
  subcommands: [...kernelWorkspaceSubcommands],
};
