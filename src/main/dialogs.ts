import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { PickPurpose } from '../shared/app/contract';

// The native file / folder chooser behind the contract's pickPath. The e2e harness has its own stand-in.

export function dialogOptionsFor(purpose: PickPurpose): OpenDialogOptions {
  switch (purpose) {
    case 'image':
      return {
        title: 'Choose the new Kintsugi image',
        properties: ['openFile'],
        filters: [
          { name: 'Disk images', extensions: ['zst', 'xz', 'gz', 'img'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
    case 'checksum':
      return {
        title: 'Choose the .sha256 file',
        properties: ['openFile'],
        filters: [{ name: 'Checksums', extensions: ['sha256', 'txt'] }],
      };
    case 'signature':
      return {
        title: 'Choose the .minisig file',
        properties: ['openFile'],
        filters: [{ name: 'Signatures', extensions: ['minisig'] }],
      };
    case 'pubkey':
      return {
        title: 'Choose the minisign public key',
        properties: ['openFile'],
        filters: [{ name: 'Public keys', extensions: ['pub'] }],
      };
    case 'backup-dir':
      return { title: 'Choose where backups go', properties: ['openDirectory', 'createDirectory'] };
    case 'kernel-package':
      return {
        title: 'Choose the kernel package to install',
        properties: ['openFile'],
        filters: [
          { name: 'Kernel packages', extensions: ['deb', 'zst', 'xz', 'gz'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
    case 'kernel-workspace':
      return {
        title: 'Choose the kernel workspace (the repository with fleet/)',
        properties: ['openDirectory'],
      };
  }
}

export async function pickPathWithDialog(
  win: BrowserWindow | undefined,
  purpose: PickPurpose,
): Promise<string | null> {
  const options = dialogOptionsFor(purpose);
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  if (result.canceled || result.filePaths.length === 0) return null;
  return result.filePaths[0] ?? null;
}
