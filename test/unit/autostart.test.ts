import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autostartPath, execArg, syncAutostart } from '../../src/main/core/app/autostart';

// The XDG autostart entry, in a temp XDG_CONFIG_HOME (never the real ~/.config): written when the setting is on,
// removed when off, a hand-made file of the same name left alone, the Exec line quoted per the Desktop Entry spec.

let dir: string;
let env: Record<string, string>;
const app = ['/opt/Kintsugi Updater/kintsugi-updater'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-autostart-'));
  env = { XDG_CONFIG_HOME: join(dir, 'config'), HOME: join(dir, 'home') };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('autostart entry', () => {
  it('lives under $XDG_CONFIG_HOME, else ~/.config (a relative XDG_CONFIG_HOME is ignored, as the spec says)', () => {
    expect(autostartPath(env)).toBe(join(dir, 'config', 'autostart', 'kintsugi-updater.desktop'));
    expect(autostartPath({ HOME: '/home/a', XDG_CONFIG_HOME: 'rel' })).toBe(
      '/home/a/.config/autostart/kintsugi-updater.desktop',
    );
    expect(autostartPath({ HOME: '/home/a' })).toBe('/home/a/.config/autostart/kintsugi-updater.desktop');
  });

  it('is written when on (tray only: --hidden), unchanged when written again, removed when off', async () => {
    expect(await syncAutostart(true, app, env)).toBe('written');
    const path = autostartPath(env);
    const text = await readFile(path, 'utf8');
    expect(text).toContain('Exec="/opt/Kintsugi Updater/kintsugi-updater" --hidden\n');
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\n/);
    // Atomic: no temp file is left beside it.
    expect(await readdir(join(dir, 'config', 'autostart'))).toEqual(['kintsugi-updater.desktop']);
    expect(await syncAutostart(true, app, env)).toBe('unchanged');
    // Another launch command (the app moved): rewritten.
    expect(await syncAutostart(true, ['/usr/bin/kintsugi-updater'], env)).toBe('written');
    expect(await readFile(path, 'utf8')).toContain('Exec=/usr/bin/kintsugi-updater --hidden\n');
    expect(await syncAutostart(false, app, env)).toBe('removed');
    expect(await stat(path).catch(() => null)).toBeNull();
    expect(await syncAutostart(false, app, env)).toBe('unchanged');
  });

  it('never removes or overwrites an entry it did not write', async () => {
    const path = autostartPath(env);
    await mkdir(join(dir, 'config', 'autostart'), { recursive: true });
    await writeFile(path, '[Desktop Entry]\nExec=my-own-thing\n');
    expect(await syncAutostart(false, app, env)).toBe('kept-foreign');
    expect(await syncAutostart(true, app, env)).toBe('kept-foreign');
    expect(await readFile(path, 'utf8')).toBe('[Desktop Entry]\nExec=my-own-thing\n');
    await rm(path);
  });

  it('quotes Exec arguments per the Desktop Entry spec', () => {
    expect(execArg('/usr/bin/app')).toBe('/usr/bin/app');
    expect(execArg('/opt/My App/app')).toBe('"/opt/My App/app"');
    expect(execArg('/a/$x`y"z\\w')).toBe('"/a/\\$x\\`y\\"z\\\\w"');
    expect(execArg('/a/100%')).toBe('/a/100%%');
  });
});
