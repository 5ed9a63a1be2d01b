import { Menu, nativeImage, Notification, Tray } from 'electron';
import { badgeBitmap, TRAY_ICON_SIZE } from './tray-badge-image';
import type { TrayNotice, TrayState } from './tray-state';

// The tray icon: Open / Quit, a tooltip, the count drawn on the icon itself (tray-badge-image.ts: the desktop's
// launcher badge is not shown by most Linux trays) and the launcher badge where the desktop supports it, and the
// notifications. What they say comes from tray-state.ts (pure).

export interface TrayHandle {
  tray: Tray;
  show(state: TrayState): void;
  notify(notice: TrayNotice): void;
}

export function createTray(
  iconPath: string,
  actions: { open(): void; quit(): void; setAppBadge?(count: number): void },
): TrayHandle {
  const loaded = nativeImage.createFromPath(iconPath);
  const icon = loaded.isEmpty() ? loaded : loaded.resize({ width: TRAY_ICON_SIZE, height: TRAY_ICON_SIZE });
  const base = icon.isEmpty() ? undefined : icon.toBitmap();
  const imageFor = (count: number) =>
    nativeImage.createFromBitmap(badgeBitmap(base, TRAY_ICON_SIZE, count), {
      width: TRAY_ICON_SIZE,
      height: TRAY_ICON_SIZE,
    });
  const tray = new Tray(imageFor(0));
  let shownCount = 0;
  const show = (state: TrayState) => {
    tray.setToolTip(state.tooltip);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: state.menuLabel, click: actions.open },
        { type: 'separator' },
        { label: 'Quit', click: actions.quit },
      ]),
    );
    if (state.badge !== shownCount) {
      tray.setImage(imageFor(state.badge));
      shownCount = state.badge;
    }
    actions.setAppBadge?.(state.badge);
  };
  const notify = (notice: TrayNotice) => {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: notice.title, body: notice.body });
    n.on('click', actions.open);
    n.show();
  };
  tray.on('click', actions.open);
  show({ badge: 0, tooltip: 'Kintsugi Updater', menuLabel: 'Open' });
  return { tray, show, notify };
}
