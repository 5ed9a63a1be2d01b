import { SCHEDULED_TASKS, taskArgv } from './tasks';

// The systemd unit files for the schedule, as text (pure). One oneshot service per task and a timer that starts
// it; Persistent= runs a missed week at the next boot, RandomizedDelaySec= spreads a fleet's pulls.

export interface UnitOptions {
  /** argv of the kintsugi CLI (e.g. [node, /opt/kintsugi/bin/kintsugi.js]). */
  kintsugi: readonly string[];
  dataRoot: string;
  /** Run as this uid (the clone's owner), so a pull never leaves root-owned files in a user's clone. */
  uid?: number;
}

/** One argument quoted for ExecStart=: double quotes, with \ and " escaped and % doubled (a specifier
 * otherwise). $ is doubled in arguments (variable expansion otherwise) but not in the executable's path: systemd
 * expands no variables there and would keep a doubled $ as two (systemd-analyze verify shows it). */
export function systemdQuote(arg: string, executable = false): string {
  const escaped = arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  return `"${executable ? escaped : escaped.replace(/\$/g, '$$$$')}"`;
}

export function systemdUnits(o: UnitOptions): Record<string, string> {
  const files: Record<string, string> = {};
  for (const t of SCHEDULED_TASKS) {
    const net = t.network ? 'Wants=network-online.target\nAfter=network-online.target\n' : '';
    files[`${t.name}.service`] =
      `# Written by Kintsugi Updater (kintsugi schedule install); kintsugi schedule remove deletes it.\n` +
      `[Unit]\nDescription=${t.description}\n${net}\n` +
      `[Service]\nType=oneshot\n${o.uid !== undefined && o.uid !== 0 ? `User=${o.uid}\n` : ''}` +
      `Nice=10\nIOSchedulingClass=idle\n` +
      // Electron's binary runs the CLI bundle as Node only with this; plain Node ignores it.
      `Environment=ELECTRON_RUN_AS_NODE=1\n` +
      `ExecStart=${taskArgv(o.kintsugi, o.dataRoot, t)
        .map((a, i) => systemdQuote(a, i === 0))
        .join(' ')}\n`;
    files[`${t.name}.timer`] =
      `# Written by Kintsugi Updater (kintsugi schedule install); kintsugi schedule remove deletes it.\n` +
      `[Unit]\nDescription=${t.description} (${t.onCalendar})\n\n` +
      `[Timer]\nOnCalendar=${t.onCalendar}\nPersistent=true\nRandomizedDelaySec=1h\n\n` +
      `[Install]\nWantedBy=timers.target\n`;
  }
  return files;
}
