import { readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';

// Start in the tray at login: an XDG autostart entry (the freedesktop Desktop Application Autostart spec),
// $XDG_CONFIG_HOME/autostart/kintsugi-updater.desktop (~/.config when unset or not absolute), written
// atomically when the setting is on and removed when it is off. Only an entry this app wrote is ever removed
// (it carries X-Kintsugi-Updater-Autostart=true): a hand-made one of the same name is the person's business.
// The entry starts the app with --hidden: the tray only, no window (index.ts).

export const AUTOSTART_FILE = 'kintsugi-updater.desktop';
export const HIDDEN_FLAG = '--hidden';
const MARK = 'X-Kintsugi-Updater-Autostart=true';

export function autostartPath(env: Record<string, string | undefined>): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && xdg.startsWith('/') ? xdg : join(env['HOME'] || homedir(), '.config');
  return resolve(base, 'autostart', AUTOSTART_FILE);
}

/**
 * One Exec argument as the Desktop Entry spec wants it: quoted when it holds a space or a reserved character,
 * with ", `, $ and \ escaped inside the quotes; % doubled (field codes). '/opt/Kintsugi Updater/...' needs it.
 */
export function execArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (!/[\s"'\\><~|&;$*?#()`]/.test(escaped)) return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Kintsugi Updater',
    'Comment=Keeps the Kintsugi drive and this system current (tray only at login)',
    `Exec=${command.map(execArg).join(' ')}`,
    'Icon=kintsugi-updater',
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    MARK,
    '',
  ].join('\n');
}

/**
 * Makes the entry match the setting. `command` is how to start this app (the binary, plus the app path when not
 * packaged); --hidden is added. Returns what it did, for the log.
 */
export async function syncAutostart(
  enabled: boolean,
  command: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<'written' | 'removed' | 'unchanged' | 'kept-foreign'> {
  const path = autostartPath(env);
  const current = await readFile(path, 'utf8').catch(() => null);
  if (enabled) {
    const text = autostartEntry([...command, HIDDEN_FLAG]);
    if (current === text) return 'unchanged';
    if (current !== null && !current.includes(MARK)) return 'kept-foreign';
    await writeFileAtomic(path, text);
    return 'written';
  }
  if (current === null) return 'unchanged';
  if (!current.includes(MARK)) return 'kept-foreign';
  await rm(path, { force: true });
  return 'removed';
}
