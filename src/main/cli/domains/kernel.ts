import type { CliDomain } from '../domain-command';
import { kernelHostCli } from './kernel-host';
import { kernelWorkspaceSubcommands, resolveWorkspace } from './kernel-workspace';

// `kintsugi kernel ...` (issue 10). The subcommands come in groups, one file each: the workspace side (hosts,
// show, promote, build) from kernel-workspace.ts, and one host's kernel (status, install, rollback) from
// kernel-host.ts, which finds the workspace by the same rule (--workspace, else the kernelWorkspace setting).

export const kernelDomain: CliDomain = {
  name: 'kernel',
  summary: 'Kernel (fleet): promote patch series, build packages, install with a backup, roll back',
  defaultSubcommand: 'hosts',
  subcommands: [...kernelWorkspaceSubcommands, ...kernelHostCli({ resolveWorkspace })],
};
