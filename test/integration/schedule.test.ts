import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRON_FILE } from '../../src/main/core/schedule/cron-file';
import {
  installSchedule,
  removeSchedule,
  scheduleTarget,
  showSchedule,
  type SchedulerProbe,
} from '../../src/main/core/schedule/schedule';
import { SCHEDULED_TASKS } from '../../src/main/core/schedule/tasks';
import { assertCliBuilt, cliRunner } from '../helpers/cli';

// The schedule written into temp folders and checked by the real systemd-analyze (package systemd; it verifies
// unit files without a running systemd) and, for cron, by running each line's command through /bin/sh the way
// cron would. systemctl is never called: the folders are not /etc/systemd/system.

let root: string;
const HAS_ANALYZE = await execa('systemd-analyze', ['--version'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
/** A path with a space, a % (a systemd specifier, a cron newline), a $ and a quote: quoting must keep it intact. */
const ODD_DATA = "/srv/odd data/100%$HOME's";
const { cli, env } = cliRunner(() => root);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kintsugi-schedule-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fresh(name: string): Promise<string> {
  const d = join(root, name);
  await mkdir(d, { recursive: true });
  return d;
}

describe('systemd timers', () => {
  it('installs units that systemd-analyze verify accepts, and show reads the command back intact', async () => {
    expect(HAS_ANALYZE, 'systemd-analyze is required (scripts/install-test-deps.sh installs systemd)').toBe(
      true,
    );
    const dir = await fresh('units');
    const r = await installSchedule({
      target: { kind: 'systemd', dir },
      kintsugi: [process.execPath, '/opt/kintsugi/cli.js'],
      dataRoot: ODD_DATA,
      uid: 1000,
      userName: 'someone',
    });
    expect(r.activated).toBe(false);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([
      'kintsugi-models-verify.service',
      'kintsugi-models-verify.timer',
      'kintsugi-repo-pull.service',
      'kintsugi-repo-pull.timer',
    ]);
    const v = await execa('systemd-analyze', ['verify', ...files.map((f) => join(dir, f))], {
      reject: false,
      env: { LC_ALL: 'C' },
    });
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect((await stat(join(dir, files[0]!))).mode & 0o777).toBe(0o644);

    const s = await showSchedule({ kind: 'systemd', dir });
    expect(s.tasks.map((t) => [t.name, t.when, t.installed])).toEqual([
      ['kintsugi-repo-pull', 'weekly', true],
      ['kintsugi-models-verify', 'monthly', true],
    ]);
    expect(s.tasks[0]!.command).toEqual([
      process.execPath,
      '/opt/kintsugi/cli.js',
      '--data-root',
      ODD_DATA,
      'repo',
      'pull',
    ]);
    expect(await readFile(join(dir, 'kintsugi-repo-pull.service'), 'utf8')).toMatch(/^User=1000$/m);
  });

  it('systemd itself reads ExecStart= as we meant it: the executable path with a space and a % survives', async () => {
    // verify names the executable it parsed when it does not exist: the only way to see systemd's own parse.
    const dir = await fresh('units-odd');
    const r = await installSchedule({
      target: { kind: 'systemd', dir },
      kintsugi: ['/nonexistent dir/kint%i$x'],
      dataRoot: '/data',
      uid: 0,
      userName: 'root',
    }).catch((e: { code: string; detail: string }) => e);
    expect(r).toMatchObject({ code: 'SCHEDULE_UNIT_INVALID' });
    expect((r as { detail: string }).detail).toContain('/nonexistent dir/kint%i$x');
    expect(await readdir(dir)).toEqual([]); // nothing written when the check fails
  });

  it('schedules exactly a repo pull and a models verify: never a model pull or a framework install', () => {
    expect(SCHEDULED_TASKS.map((t) => t.args.join(' '))).toEqual(['repo pull', 'models verify']);
  });

  it('remove deletes only the files Kintsugi wrote', async () => {
    const dir = await fresh('units-remove');
    await writeFile(join(dir, 'other.timer'), 'not ours\n');
    const target = { kind: 'systemd' as const, dir };
    await installSchedule({
      target,
      kintsugi: ['/usr/bin/true'],
      dataRoot: '/data',
      uid: 0,
      userName: 'root',
    });
    const r = await removeSchedule(target);
    expect(r.tasks.every((t) => !t.installed)).toBe(true);
    expect(await readdir(dir)).toEqual(['other.timer']);
  });
});

describe('cron', () => {
  it('each cron.d line runs, through /bin/sh as cron does, the exact argv', async () => {
    const dir = await fresh('cron');
    const echoArgs = join(root, 'echo-args');
    await writeFile(echoArgs, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
    await installSchedule({
      target: { kind: 'cron', dir },
      kintsugi: [echoArgs],
      dataRoot: ODD_DATA,
      uid: 0,
      userName: 'root',
    });
    const lines = (await readFile(join(dir, CRON_FILE), 'utf8')).split('\n').filter((l) => /^\d/.test(l));
    expect(lines.map((l) => l.split(' ').slice(0, 6).join(' '))).toEqual([
      '17 4 * * 1 root',
      '37 4 1 * * root',
    ]);
    for (const [i, line] of lines.entries()) {
      // cron turns an unescaped % into a newline and removes the backslash of \%; then /bin/sh runs the rest.
      const raw = line.split(' ').slice(6).join(' ');
      const cut = /(^|[^\\])%/.exec(raw);
      const command = (cut ? raw.slice(0, cut.index + cut[1]!.length) : raw).replace(/\\%/g, '%');
      const out = await execa('/bin/sh', ['-c', command]);
      expect(out.stdout.split('\n')).toEqual(['--data-root', ODD_DATA, ...SCHEDULED_TASKS[i]!.args]);
    }
    expect((await showSchedule({ kind: 'cron', dir })).tasks.every((t) => t.installed)).toBe(true);
  });
});

describe('choosing the scheduler', () => {
  // Stand-in probes: whether this machine runs systemd or has cron is not something a test may change.
  const probe = (systemd: boolean, cron: boolean): SchedulerProbe => ({
    systemdRunning: async () => systemd,
    cronDirExists: async () => cron,
  });
  it('systemd when it runs, else cron, else a clear error with a next step', async () => {
    expect(await scheduleTarget({}, probe(true, true))).toEqual({
      kind: 'systemd',
      dir: '/etc/systemd/system',
    });
    expect(await scheduleTarget({}, probe(false, true))).toEqual({ kind: 'cron', dir: '/etc/cron.d' });
    await expect(scheduleTarget({}, probe(false, false))).rejects.toMatchObject({
      code: 'SCHEDULE_NO_SCHEDULER',
    });
    expect(await scheduleTarget({ cronDir: '/x' }, probe(true, true))).toEqual({ kind: 'cron', dir: '/x' });
  });
});

describe('kintsugi schedule (the built CLI)', () => {
  it('install --unit-dir writes units calling this CLI; show reads them; remove clears them', async () => {
    await assertCliBuilt();
    const dir = await fresh('cli-units');
    const run = (args: string[]) =>
      cli(['schedule', ...args, '--unit-dir', dir, '--json', '--data-root', '/data'], { env: env() });
    const inst = await run(['install']);
    expect(inst.exitCode).toBe(0);
    const shown = JSON.parse(String((await run(['show'])).stdout)).result;
    expect(shown.tasks[0].command.slice(1)).toEqual([
      join(process.cwd(), 'out/main/cli.js'),
      '--data-root',
      '/data',
      'repo',
      'pull',
    ]);
    expect((await run(['remove'])).exitCode).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });
});
