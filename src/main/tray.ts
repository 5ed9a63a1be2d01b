import { Menu, nativeImage, Tray } from 'electron';
import type { TrayState } from './tray-state';

// The tray icon: Open / Quit, a tooltip and a badge (launcher badge where the desktop supports it). What they say
// comes from tray-state.ts, a pure function of main's running jobs.

export interface TrayHandle {
  tray: Tray;
  show(state: TrayState): void;
}

export function createTray(
  iconPath: string,
  actions: { open(): void; quit(): void; setAppBadge?(count: number): void },
): TrayHandle {
  const image = nativeImage.createFromPath(iconPath);
  const tray = new Tray(image.isEmpty() ? image : image.resize({ width: 22, height: 22 }));
  const show = (state: TrayState) => {
    tray.setToolTip(state.tooltip);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: state.menuLabel, click: actions.open },
        { type: 'separator' },
        { label: 'Quit', click: actions.quit },
      ]),
    );
    actions.setAppBadge?.(state.badge);
  };
  tray.on('click', actions.open);
  show({ badge: 0, tooltip: 'Kintsugi Updater', menuLabel: 'Open' });
  return { tray, show };
}
