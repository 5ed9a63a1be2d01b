import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { ScheduleState } from '../../../shared/schedule/model';
import {
  subcommand,
  type CliDomain,
  type DomainCommandContext,
  type SubcommandArgv,
} from '../domain-command';

// `kintsugi schedule install|show|remove`: the weekly docs & scripts pull and the monthly model verify as systemd
// timers (or a cron.d file without systemd). --unit-dir / --cron-dir write the files elsewhere (tests, review).

interface Dirs {
  unitDir?: string;
  cronDir?: string;
}

const OPTIONS = { 'unit-dir': { type: 'string' }, 'cron-dir': { type: 'string' } } as const;

function parseDirs(a: SubcommandArgv): Dirs {
  const unit = a.values['unit-dir'];
  const cron = a.values['cron-dir'];
  if (typeof unit === 'string' && typeof cron === 'string')
    throw new KintsugiError('INVALID_ARGUMENT', 'give --unit-dir or --cron-dir, not both');
  return {
    ...(typeof unit === 'string' ? { unitDir: resolve(a.cwd, unit) } : {}),
    ...(typeof cron === 'string' ? { cronDir: resolve(a.cwd, cron) } : {}),
  };
}

/** Core's schedule code, imported when a subcommand runs: not with the grammar every `kintsugi` start parses. */
const core = async () => {
  const [schedule, runAs] = await Promise.all([
    import('../../core/schedule/schedule'),
    import('../../core/schedule/run-as'),
  ]);
  return { ...schedule, ...runAs };
};

async function requireRootFor(dir: string, c: DomainCommandContext): Promise<void> {
  const { SYSTEM_UNIT_DIR, SYSTEM_CRON_DIR } = await core();
  if ((dir === SYSTEM_UNIT_DIR || dir === SYSTEM_CRON_DIR) && c.io.getuid() !== 0)
    throw new KintsugiError('NEEDS_ROOT', `writing into ${dir} needs root`, {
      hint: 'Run it again with sudo.',
    });
}

/** How the timers call this very CLI: the Node binary and the real path of the script it runs. */
function kintsugiArgv(): string[] {
  const script = process.argv[1];
  return script ? [process.execPath, realpathSync(script)] : ['kintsugi'];
}

function text(s: ScheduleState, note?: string): string {
  let out = `Schedule (${s.kind}, ${s.dir}):\n`;
  for (const t of s.tasks)
    out += `  ${t.name}: ${t.installed ? `${t.when}: ${t.command.join(' ')}` : 'not installed'}\n`;
  out += '  Never scheduled: model pulls and framework installs (start those yourself).\n';
  return out + (note ? `  ${note}\n` : '');
}

const install = subcommand<Dirs>({
  name: 'install',
  synopsis: 'install [--unit-dir DIR | --cron-dir DIR]',
  summary: 'weekly docs & scripts pull, monthly model verify (systemd timer, else cron)',
  options: OPTIONS,
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: parseDirs,
  async run(i, c) {
    const { scheduleTarget, scheduleRunAs, installSchedule } = await core();
    const target = await scheduleTarget(i);
    await requireRootFor(target.dir, c);
    const runAs = await scheduleRunAs(c.g.dataRoot);
    const r = await installSchedule({ target, kintsugi: kintsugiArgv(), dataRoot: c.g.dataRoot, ...runAs });
    return { result: r, human: text(r, r.note) };
  },
});

const show = subcommand<Dirs>({
  name: 'show',
  synopsis: 'show [--unit-dir DIR | --cron-dir DIR]',
  summary: 'what is scheduled, read from the installed files',
  options: OPTIONS,
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: parseDirs,
  async run(i) {
    const { scheduleTarget, showSchedule } = await core();
    const r = await showSchedule(await scheduleTarget(i));
    return { result: r, human: text(r) };
  },
});

const remove = subcommand<Dirs>({
  name: 'remove',
  synopsis: 'remove [--unit-dir DIR | --cron-dir DIR]',
  summary: 'disable the timers and delete the files Kintsugi wrote (only those)',
  options: OPTIONS,
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: parseDirs,
  async run(i, c) {
    const { scheduleTarget, removeSchedule } = await core();
    const target = await scheduleTarget(i);
    await requireRootFor(target.dir, c);
    const r = await removeSchedule(target);
    return { result: r, human: text(r, r.note) };
  },
});

export const scheduleDomain: CliDomain = {
  name: 'schedule',
  summary: 'Schedule (systemd timers, or cron where systemd is absent)',
  defaultSubcommand: 'show',
  subcommands: [install, show, remove],
};
