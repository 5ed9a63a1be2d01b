import { Menu, nativeImage, Tray } from 'electron';

// The tray icon: Open / Quit, and a badge (tooltip text; launcher badge where the desktop supports it) with the
// number of updates waiting. For now the count comes from a simple state the shell sets (a reflash in progress).

export interface TrayHandle {
  tray: Tray;
  setBadge(count: number): void;
}

export function tooltipFor(count: number): string {
  if (count <= 0) return 'Kintsugi Updater';
  return `Kintsugi Updater: ${count} update${count === 1 ? '' : 's'} waiting`;
}

export function createTray(
  iconPath: string,
  actions: { open(): void; quit(): void; setAppBadge?(count: number): void },
): TrayHandle {
  const image = nativeImage.createFromPath(iconPath);
  const tray = new Tray(image.isEmpty() ? image : image.resize({ width: 22, height: 22 }));
  const render = (count: number) => {
    tray.setToolTip(tooltipFor(count));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: count > 0 ? `Open (${count} waiting)` : 'Open', click: actions.open },
        { type: 'separator' },
        { label: 'Quit', click: actions.quit },
      ]),
    );
    actions.setAppBadge?.(count);
  };
  tray.on('click', actions.open);
  render(0);
  return { tray, setBadge: render };
}
