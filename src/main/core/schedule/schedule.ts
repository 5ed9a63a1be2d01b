import { execa } from 'execa';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { ScheduleChange, ScheduleState, SchedulerKind } from '../../../shared/schedule/model';
import { writeFileAtomic } from '../util/atomic-write';
import { exists } from '../util/exists';
import { CRON_FILE, cronFile } from './cron-file';
import { systemdUnits } from './systemd-units';
import { SCHEDULED_TASKS, taskArgv } from './tasks';

// `kintsugi schedule install|show|remove`. The files go into a unit folder (default /etc/systemd/system) or a
// cron.d folder (default /etc/cron.d); tests and careful people pass their own folder. Units are checked with
// `systemd-analyze verify` before anything is written where systemd reads; systemctl is only asked to load and
// enable them for the real unit folder of a running systemd.

export const SYSTEM_UNIT_DIR = '/etc/systemd/system';
export const SYSTEM_CRON_DIR = '/etc/cron.d';

export interface ScheduleTarget {
  kind: SchedulerKind;
  dir: string;
}

export interface SchedulerProbe {
  /** sd_booted(): /run/systemd/system exists. */
  systemdRunning(): Promise<boolean>;
  cronDirExists(): Promise<boolean>;
}

export const realProbe: SchedulerProbe = {
  systemdRunning: () => exists('/run/systemd/system'),
  cronDirExists: () => exists(SYSTEM_CRON_DIR),
};

/** Where the schedule goes: what the caller named, else systemd when it runs, else cron, else a clear no. */
export async function scheduleTarget(
  opts: { unitDir?: string; cronDir?: string },
  probe: SchedulerProbe = realProbe,
): Promise<ScheduleTarget> {
  if (opts.unitDir) return { kind: 'systemd', dir: opts.unitDir };
  if (opts.cronDir) return { kind: 'cron', dir: opts.cronDir };
  if (await probe.systemdRunning()) return { kind: 'systemd', dir: SYSTEM_UNIT_DIR };
  if (await probe.cronDirExists()) return { kind: 'cron', dir: SYSTEM_CRON_DIR };
  throw new KintsugiError(
    'SCHEDULE_NO_SCHEDULER',
    'systemd is not running here and there is no /etc/cron.d',
    {
      hint: 'Install cron (Debian: apt install cron), or pass --unit-dir DIR / --cron-dir DIR to write the files somewhere yourself.',
    },
  );
}

const fileNames = (kind: SchedulerKind): string[] =>
  kind === 'cron' ? [CRON_FILE] : SCHEDULED_TASKS.flatMap((t) => [`${t.name}.service`, `${t.name}.timer`]);

export interface InstallOptions {
  target: ScheduleTarget;
  kintsugi: readonly string[];
  dataRoot: string;
  /** The clone's owner: the tasks run as them. */
  uid: number;
  userName: string;
  probe?: SchedulerProbe;
}

export async function installSchedule(o: InstallOptions): Promise<ScheduleChange> {
  const { kind, dir } = o.target;
  if (!(await stat(dir).catch(() => null))?.isDirectory())
    throw new KintsugiError('INVALID_ARGUMENT', `${dir} is not a directory`, {
      hint: 'Create the folder first, or leave the option out to use the system’s own.',
    });
  const files =
    kind === 'cron'
      ? { [CRON_FILE]: cronFile({ kintsugi: o.kintsugi, dataRoot: o.dataRoot, user: o.userName }) }
      : systemdUnits({ kintsugi: o.kintsugi, dataRoot: o.dataRoot, uid: o.uid });
  if (kind === 'systemd') await verifyUnits(files);
  for (const [name, text] of Object.entries(files)) {
    await writeFileAtomic(join(dir, name), text);
    // Readable by all, writable by the owner only: cron ignores a group/world-writable cron.d file, and a
    // unit anyone could edit would be anyone's root command.
    await chmod(join(dir, name), 0o644);
  }
  const activation = await activate(o.target, 'install', o.probe ?? realProbe);
  return { ...(await showSchedule(o.target)), ...activation };
}

export async function removeSchedule(
  target: ScheduleTarget,
  probe: SchedulerProbe = realProbe,
): Promise<ScheduleChange> {
  const activation = await activate(target, 'remove', probe);
  for (const name of fileNames(target.kind)) await rm(join(target.dir, name), { force: true });
  return { ...(await showSchedule(target)), ...activation };
}

/** What is installed in the target folder, read back from the files themselves. */
export async function showSchedule(target: ScheduleTarget): Promise<ScheduleState> {
  const read = (name: string) => readFile(join(target.dir, name), 'utf8').catch(() => null);
  const tasks = [];
  if (target.kind === 'cron') {
    const text = (await read(CRON_FILE)) ?? '';
    for (const t of SCHEDULED_TASKS) {
      const installed = text
        .split('\n')
        .some((l) => l.startsWith(`${t.cron} `) && l.includes(`'${t.args.join("' '")}'`));
      tasks.push({
        name: t.name,
        when: t.cron,
        command: taskArgv(['kintsugi'], '…', t),
        installed,
        files: installed ? [join(target.dir, CRON_FILE)] : [],
      });
    }
  } else {
    for (const t of SCHEDULED_TASKS) {
      const timer = await read(`${t.name}.timer`);
      const service = await read(`${t.name}.service`);
      const when = /^OnCalendar=(.+)$/m.exec(timer ?? '')?.[1] ?? t.onCalendar;
      const exec = /^ExecStart=(.+)$/m.exec(service ?? '')?.[1];
      tasks.push({
        name: t.name,
        when,
        command: exec ? unquoteExec(exec) : taskArgv(['kintsugi'], '…', t),
        installed: timer !== null && service !== null,
        files: [timer !== null ? `${t.name}.timer` : '', service !== null ? `${t.name}.service` : '']
          .filter(Boolean)
          .map((f) => join(target.dir, f)),
      });
    }
  }
  return { kind: target.kind, dir: target.dir, tasks };
}

/** The argv back from our own ExecStart= line (every argument double-quoted by systemdQuote). */
function unquoteExec(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m, i) => {
    const s = m[1]!.replace(/\\(.)/g, '$1').replace(/%%/g, '%');
    return i === 0 ? s : s.replace(/\$\$/g, '$');
  });
}

/**
 * `systemd-analyze verify` on the units in a scratch folder, before they are written where systemd reads them.
 * Without systemd-analyze (a system without systemd uses cron), nothing to check with.
 */
async function verifyUnits(files: Record<string, string>): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'kintsugi-units-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(scratch, name), text);
    const r = await execa('systemd-analyze', ['verify', ...Object.keys(files).map((n) => join(scratch, n))], {
      reject: false,
      env: { LC_ALL: 'C', SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: '' },
      stdin: 'ignore',
    });
    if ((r as { code?: string }).code === 'ENOENT') return;
    if (r.exitCode !== 0)
      throw new KintsugiError(
        'SCHEDULE_UNIT_INVALID',
        String(r.stderr).trim().split('\n').slice(-5).join('; '),
      );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function activate(
  target: ScheduleTarget,
  what: 'install' | 'remove',
  probe: SchedulerProbe,
): Promise<{ activated: boolean; note?: string }> {
  if (target.kind === 'cron') return { activated: true, note: 'cron reads /etc/cron.d by itself' };
  if (target.dir !== SYSTEM_UNIT_DIR)
    return {
      activated: false,
      note: `units written to ${target.dir}; systemctl left alone (not ${SYSTEM_UNIT_DIR})`,
    };
  if (!(await probe.systemdRunning())) return { activated: false, note: 'systemd is not running here' };
  const timers = SCHEDULED_TASKS.map((t) => `${t.name}.timer`);
  const systemctl = (args: string[]) => execa('systemctl', args, { env: { LC_ALL: 'C' }, stdin: 'ignore' });
  if (what === 'install') {
    await systemctl(['daemon-reload']);
    await systemctl(['enable', '--now', ...timers]);
  } else {
    await systemctl(['disable', '--now', ...timers]).catch(() => undefined);
  }
  return { activated: true };
}
