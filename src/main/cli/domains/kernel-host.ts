import { resolve } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { HostManifest } from '../../../shared/kernel/model';
import { DEFAULT_HEARTBEAT_TIMEOUT_SEC } from '../../core/kernel/install/heartbeat';
import type { InstallResult } from '../../core/kernel/install/install';
import type { RollbackResult } from '../../core/kernel/install/rollback';
import type { KernelHostStatus } from '../../core/kernel/install/status';
import type { CliIo } from '../io';
import {
  subcommand,
  type CliSubcommand,
  type DomainCommandContext,
  type SubcommandArgv,
} from '../domain-command';

// `kintsugi kernel status | install | rollback HOST`: one host's kernel over core/kernel/install, run in the CLI's
// own process (no job host: the CLI is root on its own behalf, as for `os`). The integrator composes this list
// into `kintsugi kernel` beside promote and build. Install and rollback ask first (at a terminal) unless --yes;
// without a terminal and without --yes they refuse. Exit codes: 0 ok; 1 failed, or `status` found the heartbeat
// overdue; 2 bad arguments. Core's kernel code is imported when a subcommand runs, not with the grammar every
// `kintsugi` start parses.

const bad = (detail: string) => new KintsugiError('INVALID_ARGUMENT', detail);
const str = (a: SubcommandArgv, k: string) =>
  typeof a.values[k] === 'string' ? (a.values[k] as string) : undefined;

function pathOpt(a: SubcommandArgv, k: string): string | undefined {
  const v = str(a, k);
  if (v === undefined) return undefined;
  if (!v || v.includes('\0')) throw bad(`--${k} is empty or holds a NUL byte`);
  // A URL is refused here, before resolve() would turn it into a path under the current folder.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v))
    throw new KintsugiError('KERNEL_INSTALL_BAD_PACKAGE', `--${k} ${v} is a URL; pass a local file`);
  return resolve(a.cwd, v);
}

interface HostInput {
  host: string;
  root: string;
  /** As given; absent: the resolver decides (kernel-promote's resolveWorkspace reads the kernelWorkspace setting). */
  workspace?: string;
  backupDir?: string;
  yes: boolean;
}

function hostInput(a: SubcommandArgv): HostInput {
  const backupDir = pathOpt(a, 'backup-dir');
  const workspace = pathOpt(a, 'workspace');
  return {
    host: a.args[0]!,
    root: pathOpt(a, 'root') ?? '/',
    ...(workspace ? { workspace } : {}),
    ...(backupDir ? { backupDir } : {}),
    yes: a.values['yes'] === true,
  };
}

const common = {
  root: { type: 'string' },
  workspace: { type: 'string' },
} as const;

async function confirm(io: CliIo, yes: boolean, what: string): Promise<void> {
  if (yes) return;
  if (!io.stdinIsTTY)
    throw new KintsugiError(
      'CONFIRMATION_REQUIRED',
      `${what}; stdin is not a terminal, so pass --yes to confirm`,
      {
        hint: 'Run it at a terminal to be asked, or add --yes.',
      },
    );
  const answer = (await io.readLine(`${what}. Type yes to continue: `))?.trim().toLowerCase();
  if (answer !== 'yes') throw new KintsugiError('CANCELLED', 'nothing was changed');
}

const stepLine = (io: CliIo, json: boolean) => (id: string, title: string, skipped: boolean) => {
  if (!json) io.stderr.write(`${skipped ? '  done already: ' : '» '}${title}\n`);
};

export function statusText(s: KernelHostStatus): string {
  const lines = [
    `${s.host} (${s.root}): ${s.state}${s.overdue ? ' — OVERDUE: no heartbeat by the deadline' : ''}`,
  ];
  if (s.installedVersion) lines.push(`  installed:  ${s.installedVersion} (kernel ${s.kernelRelease})`);
  if (s.replacedVersion !== undefined)
    lines.push(`  replaced:   ${s.replacedVersion ?? '(nothing: first install)'}`);
  if (s.backupPath !== undefined) lines.push(`  backup:     ${s.backupPath ?? '(none)'}`);
  if (s.deadline) lines.push(`  deadline:   ${s.deadline}`);
  if (s.heartbeat)
    lines.push(`  heartbeat:  ${s.heartbeat.release} at ${new Date(s.heartbeat.writtenAt).toISOString()}`);
  for (const t of s.triggers ?? []) lines.push(`  triggers:   ${t}`);
  if (s.note) lines.push(`  note:       ${s.note}`);
  if (s.overdue)
    lines.push(
      `  next:       kintsugi kernel rollback ${s.host}${s.root === '/' ? '' : ` --root ${s.root}`}`,
    );
  return lines.join('\n') + '\n';
}

function installText(r: InstallResult): string {
  const rec = r.record;
  return (
    `${r.resumed ? 'Resumed and installed' : 'Installed'} ${rec.package.name} ${rec.package.version} on ${rec.host}` +
    `${rec.replaced ? ` (replacing ${rec.replaced.version}; backup in ${rec.backupPath})` : ' (first install)'}\n` +
    (rec.steps.triggers?.outcomes ?? []).map((t) => `  triggers: ${t}\n`).join('') +
    `Waiting for the heartbeat of ${rec.package.kernelRelease} until ${rec.deadline}: reboot into it.\n`
  );
}

function rollbackText(r: RollbackResult): string {
  if (r.nothing) return `Nothing to roll back: ${r.reason}.\n`;
  return `Rolled back ${r.record.host}:\n${r.did.map((d) => `  ${d}\n`).join('')}`;
}

export interface KernelHostDeps {
  loadManifest: (workspace: string, host: string) => Promise<HostManifest>;
  /** --workspace, else a default. Here: the current folder; the integrator passes kernel-promote's
   * resolveWorkspace (--workspace, else the kernelWorkspace setting, else a refusal). */
  resolveWorkspace: (given: string | undefined, c: DomainCommandContext) => Promise<string> | string;
}

const DEFAULT_DEPS: KernelHostDeps = {
  loadManifest: async (workspace, host) =>
    (await import('../../core/kernel/fleet-manifest')).loadHostManifest(workspace, host),
  resolveWorkspace: (given, c) => given ?? c.io.cwd,
};

/** The subcommands, with the manifest loader injectable (the tests hand in HostManifest objects). */
export function kernelHostCli(deps: Partial<KernelHostDeps> = {}): CliSubcommand<never>[] {
  const { loadManifest, resolveWorkspace } = { ...DEFAULT_DEPS, ...deps };
  const status = subcommand<HostInput>({
    name: 'status',
    synopsis: 'status HOST [--root DIR]',
    summary:
      "the host's kernel: installed, pending-heartbeat (overdue?), confirmed or rolled back; the backup",
    options: { ...common },
    arity: { min: 1, max: 1, names: 'HOST' },
    parse: hostInput,
    async run(i) {
      const { kernelStatus } = await import('../../core/kernel/install/status');
      const s = await kernelStatus({ host: i.host, root: i.root });
      return { result: s, human: statusText(s), exitCode: s.overdue ? 1 : 0 };
    },
  });

  const install = subcommand<HostInput & { pkg: string; heartbeatTimeoutSec: number }>({
    name: 'install',
    synopsis: 'install HOST --package FILE [--root DIR] [--backup-dir DIR] [--heartbeat-timeout SEC] [--yes]',
    summary: 'back up the running kernel, install the package, wait for the heartbeat after the reboot',
    options: {
      ...common,
      package: { type: 'string' },
      'backup-dir': { type: 'string' },
      'heartbeat-timeout': { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
    },
    arity: { min: 1, max: 1, names: 'HOST' },
    parse: (a) => {
      const pkg = pathOpt(a, 'package');
      if (!pkg) throw bad('install needs --package FILE (a local .deb or .pkg.tar.* file)');
      const t = str(a, 'heartbeat-timeout');
      if (t !== undefined && !/^\d{1,6}$/.test(t))
        throw bad(`--heartbeat-timeout ${t}: whole seconds, 0 to 999999`);
      return {
        ...hostInput(a),
        pkg,
        heartbeatTimeoutSec: t === undefined ? DEFAULT_HEARTBEAT_TIMEOUT_SEC : Number(t),
      };
    },
    async run(i, c) {
      const manifest = await loadManifest(await resolveWorkspace(i.workspace, c), i.host);
      await confirm(c.io, i.yes, `Install ${i.pkg} as ${i.host}'s kernel under ${i.root}`);
      const [{ installKernel }, { defaultBackupDir }] = await Promise.all([
        import('../../core/kernel/install/install'),
        import('../../core/kernel/install/paths'),
      ]);
      const r = await installKernel({
        host: i.host,
        manifest,
        packageFile: i.pkg,
        root: i.root,
        backupDir: i.backupDir ?? defaultBackupDir(i.root),
        heartbeatTimeoutSec: i.heartbeatTimeoutSec,
        onStep: stepLine(c.io, c.g.json),
      });
      return { result: r, human: installText(r) };
    },
  });

  const rollback = subcommand<HostInput>({
    name: 'rollback',
    synopsis: 'rollback HOST [--root DIR] [--backup-dir DIR] [--yes]',
    summary: 'put the backed-up kernel back and downgrade (or remove) the package; says what it did',
    options: { ...common, 'backup-dir': { type: 'string' }, yes: { type: 'boolean', short: 'y' } },
    arity: { min: 1, max: 1, names: 'HOST' },
    parse: hostInput,
    async run(i, c) {
      await confirm(c.io, i.yes, `Roll back ${i.host}'s kernel under ${i.root}`);
      const { rollbackKernel } = await import('../../core/kernel/install/rollback');
      const r = await rollbackKernel({
        host: i.host,
        root: i.root,
        ...(i.backupDir ? { backupDir: i.backupDir } : {}),
        onStep: stepLine(c.io, c.g.json),
      });
      return { result: r, human: rollbackText(r) };
    },
  });

  return [status, install, rollback];
}

export const kernelHostSubcommands = kernelHostCli();
