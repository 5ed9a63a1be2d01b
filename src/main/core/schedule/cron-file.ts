import { SCHEDULED_TASKS, taskArgv } from './tasks';

// The schedule as one /etc/cron.d file, for systems without systemd (pure). cron runs each line with /bin/sh:
// every argument is single-quoted, and % (a newline to cron) is escaped.

export const CRON_FILE = 'kintsugi';

export function shellQuoteForCron(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`.replace(/%/g, '\\%');
}

export function cronFile(o: { kintsugi: readonly string[]; dataRoot: string; user: string }): string {
  const lines = SCHEDULED_TASKS.map(
    (t) => `${t.cron} ${o.user} ${taskArgv(o.kintsugi, o.dataRoot, t).map(shellQuoteForCron).join(' ')}`,
  );
  return (
    '# Written by Kintsugi Updater (kintsugi schedule install); kintsugi schedule remove deletes it.\n' +
    'SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' +
    // Electron's binary runs the CLI bundle as Node only with this; plain Node ignores it.
    'ELECTRON_RUN_AS_NODE=1\n' +
    `${lines.join('\n')}\n`
  );
}
