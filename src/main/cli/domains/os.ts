import { resolve } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import {
  OS_LOCK_TIMEOUT_DEFAULT,
  osDeploymentIndex,
  osLockTimeout,
  osStateroot,
  type OsTargetParams,
} from '../../../shared/os/contract';
import {
  OS_BACKENDS,
  type OsApplyResult,
  type OsRollbackResult,
  type OsState,
} from '../../../shared/os/model';
import type { JobRequest } from '../../../shared/registry';
import type { OsBackendFactories } from '../../core/os/backends';
import { confirmAction } from '../confirm';
import {
  subcommand,
  type CliDomain,
  type DomainCommandContext,
  type SubcommandArgv,
} from '../domain-command';
import { runAskingOnMetered } from '../metered-ask';
import { progressView } from '../progress-view';
import { runJobWithView } from '../run-with-progress';
import { applyText, rollbackText, stateText, updatesSummary } from './os-text';

// `kintsugi os status|check|apply|rollback|pin N|unpin N|repair`, and through bin/koder-os-update.js the same
// commands as `koder-os-update ...`: one OS update model over apt, ostree and rpm-ostree (core/os).
//
// Exit codes, for cron and fleet tools: `check` exits 0 when the system is up to date, 10 when OS updates are
// available (the JSON result lists them), 1 when the check failed; every command exits 2 on bad arguments and
// 130 when interrupted. `status` is offline and needs no root.
//
// Where the jobs run: against this machine (/) in the CLI's device host, a child process (as the drive jobs do:
// a dpkg stuck on a lock or a hook cannot take the CLI's Ctrl-C with it), and it needs root; against another
// root (a chroot, a mounted image, a test's throwaway root) in this process, with the backends this domain was
// built with (the tests hand in a stand-in through osCli({ backends }): the one test seam).
// Core's OS code is imported when a subcommand runs, not with the grammar: every `kintsugi` start parses with
// every domain's grammar, and only `kintsugi os ...` needs the backends.

export const OS_EXIT_UPDATES_AVAILABLE = 10;

const TARGET_OPTIONS = {
  backend: { type: 'string' },
  root: { type: 'string' },
  sysroot: { type: 'string' },
  os: { type: 'string' },
  'lock-timeout': { type: 'string' },
} as const;

const bad = (detail: string, hint?: string) =>
  new KintsugiError('INVALID_ARGUMENT', detail, hint ? { hint } : undefined);

function pathOption(v: string | boolean | undefined, name: string, cwd: string): string {
  if (typeof v !== 'string') return '/';
  if (!v || v.includes('\0')) throw bad(`--${name} must be a directory`);
  return resolve(cwd, v);
}

/** --backend --root --sysroot --os --lock-timeout, each checked as the job's schema will check it. */
export function parseTarget({ values, cwd }: SubcommandArgv): OsTargetParams {
  const backend = values['backend'];
  if (typeof backend === 'string' && !(OS_BACKENDS as readonly string[]).includes(backend))
    throw bad(
      `--backend ${JSON.stringify(backend)} is not an OS update backend; the backends are ${OS_BACKENDS.join(', ')}`,
      'Leave --backend out to detect the system’s own.',
    );
  const osName = values['os'];
  if (typeof osName === 'string' && !osStateroot.safeParse(osName).success)
    throw bad(`--os ${JSON.stringify(osName)}: a stateroot name (letters, digits, . _ -), not a path`);
  const lock = values['lock-timeout'];
  let lockTimeoutSeconds = OS_LOCK_TIMEOUT_DEFAULT;
  if (typeof lock === 'string') {
    const n = /^\d+$/.test(lock) ? Number(lock) : NaN;
    if (!osLockTimeout.safeParse(n).success)
      throw bad(`--lock-timeout ${lock}: whole seconds from 0 to 3600`);
    lockTimeoutSeconds = n;
  }
  return {
    ...(typeof backend === 'string' ? { backend: backend as OsTargetParams['backend'] } : {}),
    root: pathOption(values['root'], 'root', cwd),
    sysroot: pathOption(values['sysroot'], 'sysroot', cwd),
    ...(typeof osName === 'string' ? { osName } : {}),
    lockTimeoutSeconds,
  };
}

function parseIndex(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!osDeploymentIndex.safeParse(n).success)
    throw bad(
      `deployment ${JSON.stringify(value)}: a number from 0 to 63, as \`kintsugi os status\` lists them`,
    );
  return n;
}

const thisMachine = (t: OsTargetParams) => t.root === '/' && t.sysroot === '/';

export interface OsCliDeps {
  /** The backends for jobs run in this process and for status; the real three by default. */
  backends?: OsBackendFactories;
}

export function osCli(deps: OsCliDeps = {}): CliDomain {
  const backends = async () => deps.backends ?? (await import('../../core/os/backends')).OS_BACKEND_FACTORIES;

  /** Runs one OS job where it belongs (see the header), with progress and Ctrl-C; its outcome is recorded by
   * the services' recorder in <state-dir>/os.json. */
  async function runOs(c: DomainCommandContext, t: OsTargetParams, req: JobRequest): Promise<unknown> {
    if (thisMachine(t)) {
      if (c.io.getuid() !== 0)
        throw new KintsugiError(
          'NEEDS_ROOT',
          'OS updates change this machine’s system: run `sudo kintsugi os ...`',
          {
            hint: 'Run it again with sudo (`kintsugi os status` needs no root).',
          },
        );
      return c.run(req);
    }
    const [{ osExecutor }, services] = await Promise.all([import('../../core/os/jobs'), c.services()]);
    return runJobWithView(
      req,
      services.runner,
      osExecutor(await backends()),
      c.io.signal,
      progressView(c.io, c.g),
    );
  }

  async function withMetered(
    c: DomainCommandContext,
    t: OsTargetParams,
    allow: boolean,
    type: 'os-check' | 'os-apply',
  ): Promise<unknown> {
    const s = await (await c.services()).settings.load();
    return runAskingOnMetered(
      { ...c, run: (req) => runOs(c, t, req) },
      allow,
      (allowMetered) =>
        ({ type, params: { ...t, allowMetered, meteredSetting: s.metered ?? 'auto' } }) as JobRequest,
    );
  }

  const status = subcommand<OsTargetParams>({
    name: 'status',
    synopsis: 'status [--backend B] [--root DIR] [--sysroot DIR --os NAME]',
    summary: 'release, version, deployments, reboot, updates as last checked (offline, no root)',
    options: TARGET_OPTIONS,
    arity: { min: 0, max: 0, names: 'no arguments' },
    parse: parseTarget,
    async run(t, c) {
      const [{ openOsBackend }, { quietContext }] = await Promise.all([
        import('../../core/os/backends'),
        import('../../core/jobs/context'),
      ]);
      const backend = await openOsBackend(t, await backends());
      const s = await backend.status(quietContext(c.io.signal));
      const record = await (await c.services()).os.store.recordState('status', s);
      return { result: s, human: stateText(s, record.lastCheck) };
    },
  });

  const check = subcommand<OsTargetParams & { allowMetered: boolean }>({
    name: 'check',
    synopsis:
      'check [--allow-metered] [--backend B] [--root DIR] [--sysroot DIR --os NAME] [--lock-timeout S]',
    summary: `refresh the metadata and list OS updates; exit 0 up to date, ${OS_EXIT_UPDATES_AVAILABLE} updates available, 1 failed`,
    options: { ...TARGET_OPTIONS, 'allow-metered': { type: 'boolean' } },
    arity: { min: 0, max: 0, names: 'no arguments' },
    parse: (a) => ({ ...parseTarget(a), allowMetered: a.values['allow-metered'] === true }),
    async run(i, c) {
      const { allowMetered, ...t } = i;
      const s = (await withMetered(c, t, allowMetered, 'os-check')) as OsState;
      return {
        result: s,
        human: stateText(s),
        exitCode: s.updates.length > 0 ? OS_EXIT_UPDATES_AVAILABLE : 0,
      };
    },
  });

  const apply = subcommand<OsTargetParams & { allowMetered: boolean; yes: boolean }>({
    name: 'apply',
    synopsis:
      'apply [--yes] [--allow-metered] [--backend B] [--root DIR] [--sysroot DIR --os NAME] [--lock-timeout S]',
    summary:
      'install the OS updates (apt: userspace, then kernel; ostree: a new deployment); asks unless --yes',
    options: {
      ...TARGET_OPTIONS,
      'allow-metered': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
    },
    arity: { min: 0, max: 0, names: 'no arguments' },
    parse: (a) => ({
      ...parseTarget(a),
      allowMetered: a.values['allow-metered'] === true,
      yes: a.values['yes'] === true,
    }),
    async run(i, c) {
      const { allowMetered, yes, ...t } = i;
      const last = (await (await c.services()).os.store.load()).state;
      await confirmAction(c.io, {
        yes,
        action: `Apply OS updates to ${t.root === '/' ? 'this machine' : t.root}`,
        ...(last ? { details: `As last checked: ${updatesSummary(last.updates)}.\n` } : {}),
      });
      const r = (await withMetered(c, t, allowMetered, 'os-apply')) as OsApplyResult;
      return { result: r, human: applyText(r) };
    },
  });

  const rollback = subcommand<OsTargetParams & { yes: boolean }>({
    name: 'rollback',
    synopsis: 'rollback [--yes] [--backend B] [--root DIR] [--sysroot DIR --os NAME] [--lock-timeout S]',
    summary:
      'go back to before the last apply (ostree: the previous deployment; apt: best effort); asks unless --yes',
    options: { ...TARGET_OPTIONS, yes: { type: 'boolean', short: 'y' } },
    arity: { min: 0, max: 0, names: 'no arguments' },
    parse: (a) => ({ ...parseTarget(a), yes: a.values['yes'] === true }),
    async run(i, c) {
      const { yes, ...t } = i;
      await confirmAction(c.io, {
        yes,
        action: `Roll back the OS of ${t.root === '/' ? 'this machine' : t.root}`,
      });
      const r = (await runOs(c, t, { type: 'os-rollback', params: t })) as OsRollbackResult;
      return { result: r, human: rollbackText(r) };
    },
  });

  const pinning = (pinned: boolean) =>
    subcommand<OsTargetParams & { index: number }>({
      name: pinned ? 'pin' : 'unpin',
      synopsis: `${pinned ? 'pin' : 'unpin'} N [--backend B] [--sysroot DIR --os NAME]`,
      summary: pinned
        ? 'keep deployment N (ostree, rpm-ostree): never cleaned up by an update'
        : 'let deployment N be cleaned up again',
      options: TARGET_OPTIONS,
      arity: { min: 1, max: 1, names: 'a deployment number (N)' },
      parse: (a) => ({ ...parseTarget(a), index: parseIndex(a.args[0]!) }),
      async run(i, c) {
        const { index, ...t } = i;
        const s = (await runOs(c, t, { type: 'os-pin', params: { ...t, index, pinned } })) as OsState;
        return {
          result: s,
          human: `Deployment ${index} ${pinned ? 'pinned' : 'unpinned'}.\n${stateText(s)}`,
        };
      },
    });

  const repair = subcommand<OsTargetParams>({
    name: 'repair',
    synopsis: 'repair [--backend B] [--root DIR] [--lock-timeout S]',
    summary: 'finish an interrupted apt apply (dpkg --configure -a)',
    options: TARGET_OPTIONS,
    arity: { min: 0, max: 0, names: 'no arguments' },
    parse: parseTarget,
    async run(t, c) {
      const s = (await runOs(c, t, { type: 'os-repair', params: t })) as OsState;
      return { result: s, human: `Repaired.\n${stateText(s)}` };
    },
  });

  return {
    name: 'os',
    summary: `OS updates (apt, ostree, rpm-ostree); check exits 0 up to date, ${OS_EXIT_UPDATES_AVAILABLE} updates available, 1 failed`,
    defaultSubcommand: 'status',
    subcommands: [status, check, apply, rollback, pinning(true), pinning(false), repair],
  };
}

export const osDomain = osCli();
