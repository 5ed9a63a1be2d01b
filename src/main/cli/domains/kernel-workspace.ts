import { resolve } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { BuildResult, PromoteResult } from '../../../shared/kernel/contract';
import { buildParams } from '../../../shared/kernel/contract';
import { checkHostName } from '../../../shared/kernel/tokens';
import {
  subcommand,
  type CliSubcommand,
  type DomainCommandContext,
  type OptionSpec,
  type SubcommandArgv,
} from '../domain-command';

// `kintsugi kernel hosts | show HOST | promote HOST [--out FILE] [--check-against FILE] | build HOST [--out DIR]`:
// the workspace side of the kernel pipeline (issue 10 §1-3). Every subcommand takes --workspace DIR (else the
// kernelWorkspace setting). Exported as a list so cli/domains/kernel.ts composes it with the install side's own
// list; `workspaceOption` and `resolveWorkspace` are for those subcommands too. Exit status: 0 ok; 1 failed
// (a patch that does not apply, a parity mismatch, a failed build); 2 bad arguments.

export const workspaceOption: Record<string, OptionSpec> = { workspace: { type: 'string' } };

const str = (a: SubcommandArgv, k: string) =>
  typeof a.values[k] === 'string' ? resolve(a.cwd, a.values[k] as string) : undefined;

/** --workspace as given (made absolute in parse), else the kernelWorkspace setting, else a clear refusal. */
export async function resolveWorkspace(given: string | undefined, c: DomainCommandContext): Promise<string> {
  if (given) return given;
  const w = (await (await c.services()).settings.load()).kernelWorkspace;
  if (!w)
    throw new KintsugiError('INVALID_ARGUMENT', 'no kernel workspace: give --workspace DIR', {
      hint: 'Pass --workspace (the git repository with fleet/ and patches/), or set kernelWorkspace in the settings.',
    });
  return w;
}

const hostArg = (a: SubcommandArgv) => checkHostName(a.args[0]!);

interface HostInput {
  host: string;
  workspace?: string;
}
const hostInput = (a: SubcommandArgv): HostInput => ({
  host: hostArg(a),
  ...(str(a, 'workspace') ? { workspace: str(a, 'workspace') } : {}),
});

const hosts = subcommand<{ workspace?: string }>({
  name: 'hosts',
  synopsis: 'hosts [--workspace DIR]',
  summary: 'the hosts of the kernel workspace (fleet/<host>.yaml)',
  options: workspaceOption,
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: (a) => (str(a, 'workspace') ? { workspace: str(a, 'workspace') } : {}),
  async run(input, c) {
    const workspace = await resolveWorkspace(input.workspace, c);
    const { listHosts } = await import('../../core/kernel/fleet-manifest');
    const list = await listHosts(workspace);
    return {
      result: { workspace, hosts: list },
      human: list.length ? list.map((h) => `${h}\n`).join('') : `No hosts in ${workspace}/fleet.\n`,
    };
  },
});

const show = subcommand<HostInput>({
  name: 'show',
  synopsis: 'show HOST [--workspace DIR]',
  summary: "a host's fleet manifest, validated (problems at file:line:column)",
  options: workspaceOption,
  arity: { min: 1, max: 1, names: 'HOST' },
  parse: hostInput,
  async run(input, c) {
    const { loadHostManifest } = await import('../../core/kernel/fleet-manifest');
    const m = await loadHostManifest(await resolveWorkspace(input.workspace, c), input.host);
    const human = [
      `host:        ${m.host} (${m.arch})`,
      `baseline:    ${m.baseline.repo} @ ${m.baseline.ref}`,
      `apply order: ${m.apply_order.join(', ')}`,
      `includes:    ${m.includes.join(', ') || '(none)'}`,
      `package:     ${m.package.kind} ${m.package.pkgbase} ${m.package.pkgver}-${m.package.pkgrel} (_srctag ${m.package._srctag})`,
      `install:     ${m.install.bootloader}, ${m.install.initramfs}`,
      '',
    ].join('\n');
    return { result: m, human };
  },
});

const promoteCmd = subcommand<HostInput & { out?: string; checkAgainst?: string }>({
  name: 'promote',
  synopsis: 'promote HOST [--out FILE] [--check-against FILE] [--workspace DIR]',
  summary:
    "the host's series as one cumulative patch, checked on the baseline; FILE and FILE.b2 (BLAKE2b-512)",
  options: { ...workspaceOption, out: { type: 'string' }, 'check-against': { type: 'string' } },
  arity: { min: 1, max: 1, names: 'HOST' },
  parse: (a) => ({
    ...hostInput(a),
    ...(str(a, 'out') ? { out: str(a, 'out') } : {}),
    ...(str(a, 'check-against') ? { checkAgainst: str(a, 'check-against') } : {}),
  }),
  async run(input, c) {
    const workspace = await resolveWorkspace(input.workspace, c);
    const r = (await c.run({
      type: 'kernel.promote',
      params: {
        workspace,
        host: input.host,
        ...(input.out ? { out: input.out } : {}),
        ...(input.checkAgainst ? { checkAgainst: input.checkAgainst } : {}),
      },
    })) as PromoteResult;
    const human =
      `Promoted ${r.host}: ${r.patches.length} patch(es) on ${r.baseline.ref} (${r.baseline.commit.slice(0, 12)}), ${r.bytes} bytes\n` +
      `  ${r.patch}\n  ${r.b2File}: ${r.b2sum}\n` +
      (r.parity ? `  identical to ${input.checkAgainst}\n` : '');
    return { result: r, human };
  },
});

const buildCmd = subcommand<HostInput & { out?: string; buildUser?: string }>({
  name: 'build',
  synopsis: 'build HOST [--out DIR] [--build-user USER] [--workspace DIR]',
  summary:
    'promote, render the PKGBUILD, makepkg (as USER, default nobody, when root), sign, publish into DIR',
  options: { ...workspaceOption, out: { type: 'string' }, 'build-user': { type: 'string' } },
  arity: { min: 1, max: 1, names: 'HOST' },
  parse: (a) => {
    const user = typeof a.values['build-user'] === 'string' ? a.values['build-user'] : undefined;
    if (user !== undefined && !buildParams.shape.buildUser.safeParse(user).success)
      throw new KintsugiError(
        'INVALID_ARGUMENT',
        `--build-user ${JSON.stringify(user)}: must be a user name`,
      );
    return {
      ...hostInput(a),
      ...(str(a, 'out') ? { out: str(a, 'out') } : {}),
      ...(user ? { buildUser: user } : {}),
    };
  },
  async run(input, c) {
    const workspace = await resolveWorkspace(input.workspace, c);
    const r = (await c.run({
      type: 'kernel.build',
      params: {
        workspace,
        host: input.host,
        ...(input.out ? { outDir: input.out } : {}),
        ...(input.buildUser ? { buildUser: input.buildUser } : {}),
      },
    })) as BuildResult;
    const human =
      `Built ${r.host} (SOURCE_DATE_EPOCH=${r.sourceDateEpoch}; ran: ${r.ran.join(', ') || 'nothing, all done before'})\n` +
      r.packages
        .map(
          (p) => `  ${p.file}\n    sha256 ${p.sha256}${p.signature ? `\n    signed ${p.signature}` : ''}\n`,
        )
        .join('') +
      `Published into ${r.repoDb}\n`;
    return { result: r, human };
  },
});

export const kernelWorkspaceSubcommands: CliSubcommand<never>[] = [hosts, show, promoteCmd, buildCmd];
